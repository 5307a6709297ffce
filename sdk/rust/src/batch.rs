//! The batch (`00 11`, PROTOCOL.md §4) as a list of bots: `bitbroker::bots(&batch)` or
//! `batch.bots()` with [`BatchExt`]. Pure; `BaseGame::initialise` still receives the batch itself,
//! as in the original crate.
use crate::proto::InitialMessageBatchProto;

/// One bot of the match: its index (as `Action::PlayerAction` addresses it) and its name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BotInfo {
    /// The bot's 0-based index: its seat in the match.
    pub index: u8,
    /// The name the bot gave; may be empty and need not be unique.
    pub name: String,
}

/// Every bot of the batch, in index order (the original broker lists them in any order).
/// An entry whose index is not 0-255 cannot be addressed by an action, so it is left out; no
/// broker sends one (a match has at most 255 bots).
pub fn bots(batch: &InitialMessageBatchProto) -> Vec<BotInfo> {
    let mut bots: Vec<BotInfo> = batch
        .initial_messages
        .iter()
        .filter_map(|entry| {
            let index = u8::try_from(entry.bot_index).ok()?;
            Some(BotInfo {
                index,
                name: entry.bot_name.clone(),
            })
        })
        .collect();
    bots.sort_by_key(|bot| bot.index);
    bots
}

/// `batch.bots()`: the same as [`bots`], as a method of the batch.
pub trait BatchExt {
    /// Every bot of the batch, in index order.
    fn bots(&self) -> Vec<BotInfo>;
}

impl BatchExt for InitialMessageBatchProto {
    fn bots(&self) -> Vec<BotInfo> {
        bots(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::InitialMessageProto;

    fn entry(bot_index: i32, name: &str) -> InitialMessageProto {
        InitialMessageProto {
            bot_index,
            bot_name: name.into(),
        }
    }

    #[test]
    fn the_bots_come_in_index_order_whatever_the_batch_order() {
        let batch = InitialMessageBatchProto {
            initial_messages: vec![entry(2, "C"), entry(0, "A"), entry(1, "")],
        };
        let got = batch.bots();
        let got: Vec<(u8, &str)> = got.iter().map(|b| (b.index, b.name.as_str())).collect();
        assert_eq!(got, [(0, "A"), (1, ""), (2, "C")]);
        assert_eq!(bots(&InitialMessageBatchProto::default()), Vec::new());
    }

    #[test]
    fn an_index_no_action_can_address_is_left_out() {
        let batch = InitialMessageBatchProto {
            initial_messages: vec![entry(300, "far"), entry(-1, "neg"), entry(255, "last")],
        };
        assert_eq!(
            bots(&batch),
            [BotInfo {
                index: 255,
                name: "last".into()
            }]
        );
    }
}

//! How the bot picks a column: win now if it can, otherwise a depth-limited negamax with
//! alpha-beta over a window-counting score. Deterministic (ties go to the centre). Pure.
use crate::rules::{Board, COLUMNS};

/// Columns tried centre first: better moves first make alpha-beta cut more.
const ORDER: [usize; COLUMNS] = [3, 2, 4, 1, 5, 0, 6];
/// The score of a win; sooner wins score higher.
const WIN: i32 = 1_000_000;
/// The default search depth in plies.
pub const DEPTH_DEFAULT: u32 = 5;

fn other(disc: u8) -> u8 {
    3 - disc
}

/// The static score of `board` for `me`: open lines of two and three, and the centre column.
fn evaluate(board: &Board, me: u8, windows: &[[(usize, usize); 4]]) -> i32 {
    let mut score = 0;
    for window in windows {
        let (mut mine, mut theirs) = (0, 0);
        for &(r, c) in window {
            match board.at(r, c) {
                0 => {}
                d if d == me => mine += 1,
                _ => theirs += 1,
            }
        }
        score += match (mine, theirs) {
            (3, 0) => 50,
            (2, 0) => 5,
            (0, 3) => -60,
            (0, 2) => -5,
            _ => 0,
        };
    }
    score + (0..6).filter(|&r| board.at(r, 3) == me).count() as i32 * 3
}

fn negamax(
    board: &mut Board,
    me: u8,
    depth: u32,
    mut alpha: i32,
    beta: i32,
    windows: &[[(usize, usize); 4]],
) -> i32 {
    if board.is_full() {
        return 0;
    }
    if depth == 0 {
        return evaluate(board, me, windows);
    }
    let mut best = -WIN * 2;
    for column in ORDER {
        let Some(row) = board.play(column, me) else {
            continue;
        };
        let score = if board.wins_at(row, column) {
            WIN + depth as i32
        } else {
            -negamax(board, other(me), depth - 1, -beta, -alpha, windows)
        };
        board.undo(column);
        best = best.max(score);
        alpha = alpha.max(score);
        if alpha >= beta {
            break;
        }
    }
    best
}

/// The column for `me` (1 or 2) to play on `board`, searching `depth` plies; the first open
/// column if the position is hopeless or `me` is not a disc; `None` only on a full board.
pub fn choose_column(board: &Board, me: u8, depth: u32) -> Option<usize> {
    let open: Vec<usize> = ORDER.into_iter().filter(|&c| board.is_open(c)).collect();
    if me != 1 && me != 2 {
        return open.first().copied();
    }
    let windows: Vec<_> = Board::windows().collect();
    let mut board = board.clone();
    let mut best: Option<(i32, usize)> = None;
    for &column in &open {
        let row = board.play(column, me).expect("open column");
        let score = if board.wins_at(row, column) {
            WIN + depth as i32 + 1
        } else {
            -negamax(
                &mut board,
                other(me),
                depth.saturating_sub(1),
                -WIN * 2,
                WIN * 2,
                &windows,
            )
        };
        board.undo(column);
        if best.is_none_or(|(s, _)| score > s) {
            best = Some((score, column));
        }
    }
    best.map(|(_, column)| column)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn board(moves: &[(usize, u8)]) -> Board {
        let mut b = Board::new();
        for &(c, d) in moves {
            b.play(c, d).unwrap();
        }
        b
    }

    #[test]
    fn takes_an_immediate_win() {
        let b = board(&[(0, 1), (6, 2), (1, 1), (6, 2), (2, 1), (5, 2)]);
        assert_eq!(choose_column(&b, 1, DEPTH_DEFAULT), Some(3));
    }

    #[test]
    fn blocks_the_opponents_immediate_win() {
        let b = board(&[(0, 2), (6, 1), (1, 2), (6, 1), (2, 2)]);
        assert_eq!(choose_column(&b, 1, DEPTH_DEFAULT), Some(3));
    }

    #[test]
    fn opens_in_the_centre_and_never_picks_a_full_column() {
        assert_eq!(choose_column(&Board::new(), 1, DEPTH_DEFAULT), Some(3));
        let full_centre = board(&[(3, 1), (3, 2), (3, 1), (3, 2), (3, 1), (3, 2)]);
        let column = choose_column(&full_centre, 1, DEPTH_DEFAULT).unwrap();
        assert_ne!(column, 3);
        assert!(full_centre.is_open(column));
    }

    #[test]
    fn counts_sixty_nine_lines_and_sees_wins_in_every_direction() {
        assert_eq!(Board::windows().count(), 69);
        assert!(board(&[(0, 1), (0, 1), (0, 1), (0, 1)]).wins_at(3, 0));
        let diagonal = board(&[
            (0, 1),
            (1, 2),
            (1, 1),
            (2, 2),
            (2, 2),
            (2, 1),
            (3, 2),
            (3, 2),
            (3, 2),
            (3, 1),
        ]);
        assert!(diagonal.wins_at(3, 3));
        assert!(!Board::new().wins_at(0, 0));
    }
}

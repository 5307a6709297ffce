//! Connect Four rules on the 42-cell board of connect4.proto: cells[row * 7 + column], row 0 at
//! the bottom; 0 empty, 1 and 2 the players' discs. Pure, no I/O.

/// Columns of the board.
pub const COLUMNS: usize = 7;
/// Rows of the board.
pub const ROWS: usize = 6;
/// Cells of the board.
pub const CELLS: usize = COLUMNS * ROWS;

/// A board position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Board {
    cells: [u8; CELLS],
}

impl Board {
    /// The empty board.
    pub fn new() -> Self {
        Self { cells: [0; CELLS] }
    }

    /// A board from the game's 42 cells; `None` if the length or a value is wrong.
    pub fn from_cells(cells: &[u8]) -> Option<Self> {
        let cells: [u8; CELLS] = cells.try_into().ok()?;
        cells.iter().all(|&c| c <= 2).then_some(Self { cells })
    }

    /// The disc at (row, column), 0 if empty.
    pub fn at(&self, row: usize, column: usize) -> u8 {
        self.cells[row * COLUMNS + column]
    }

    /// True if a disc can go into `column`.
    pub fn is_open(&self, column: usize) -> bool {
        column < COLUMNS && self.at(ROWS - 1, column) == 0
    }

    /// True if no column is open.
    pub fn is_full(&self) -> bool {
        (0..COLUMNS).all(|c| !self.is_open(c))
    }

    /// Drops `disc` into `column`; the row it lands in, or `None` if the column is closed.
    pub fn play(&mut self, column: usize, disc: u8) -> Option<usize> {
        let row = (0..ROWS).find(|&r| column < COLUMNS && self.at(r, column) == 0)?;
        self.cells[row * COLUMNS + column] = disc;
        Some(row)
    }

    /// Takes the top disc out of `column` (undoes `play`).
    pub fn undo(&mut self, column: usize) {
        if let Some(row) = (0..ROWS).rev().find(|&r| self.at(r, column) != 0) {
            self.cells[row * COLUMNS + column] = 0;
        }
    }

    /// True if the disc at (row, column) is part of four in a row.
    pub fn wins_at(&self, row: usize, column: usize) -> bool {
        let disc = self.at(row, column);
        if disc == 0 {
            return false;
        }
        [(0, 1), (1, 0), (1, 1), (1, -1)].iter().any(|&(dr, dc)| {
            let run = |sign: isize| {
                let mut n = 0;
                let (mut r, mut c) = (row as isize + sign * dr, column as isize + sign * dc);
                while (0..ROWS as isize).contains(&r) && (0..COLUMNS as isize).contains(&c) {
                    if self.at(r as usize, c as usize) != disc {
                        break;
                    }
                    n += 1;
                    r += sign * dr;
                    c += sign * dc;
                }
                n
            };
            1 + run(1) + run(-1) >= 4
        })
    }

    /// Every line of four cells on the board, as (row, column) quadruples.
    pub fn windows() -> impl Iterator<Item = [(usize, usize); 4]> {
        let starts = (0..ROWS).flat_map(|r| (0..COLUMNS).map(move |c| (r as isize, c as isize)));
        starts.flat_map(|(r, c)| {
            [(0, 1), (1, 0), (1, 1), (1, -1)].into_iter().filter_map(
                move |(dr, dc): (isize, isize)| {
                    let cell = |i: isize| (r + i * dr, c + i * dc);
                    let inside = |(r, c): (isize, isize)| {
                        (0..ROWS as isize).contains(&r) && (0..COLUMNS as isize).contains(&c)
                    };
                    inside(cell(3))
                        .then(|| [0, 1, 2, 3].map(|i| (cell(i).0 as usize, cell(i).1 as usize)))
                },
            )
        })
    }
}

impl Default for Board {
    fn default() -> Self {
        Self::new()
    }
}

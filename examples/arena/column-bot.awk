# A Connect Four bot in awk, for `bitbroker stdio --encoding base64`: each input line is a
# connect4.GameState in base64 (cells: 42 bytes, bottom row first); each output line is a
# connect4.Move in base64. It plays the column nearest the centre that is not full.
BEGIN {
  b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
  split("3 2 4 1 5 0 6", order, " ")
  split("CAE= CAI= CAM= CAQ= CAU= CAY=", move, " ")   # Move{column: 1..6}; column 0 is empty
}
{
  n = 0
  for (i = 1; i <= length($0); i += 4) {              # base64 → bytes[0..]
    v = 0
    for (j = 0; j < 4; j++) { c = substr($0, i + j, 1); v = v * 64 + (c == "=" ? 0 : index(b64, c) - 1) }
    byte[n++] = int(v / 65536); byte[n++] = int(v / 256) % 256; byte[n++] = v % 256
  }
  for (k = 1; k <= 7; k++) {                          # cells start after 0A 2A; top row is 35..41
    col = order[k]
    if (byte[2 + 35 + col] == 0) break
  }
  print (col == 0 ? "" : move[col])
  fflush()
}

// One qcc.requantize_fixed per channel: multipliers/shifts for the real
// multipliers 0.75 (1610612736 = 0.75 * 2^31, shift 0) and 0.1875
// (0.75 * 2^-2: shift 2).
func.func @main(%x: tensor<2x6xi32> {qcc.name = "acc"}) -> (tensor<2x6xi8> {qcc.name = "q"}) {
  %0 = qcc.requantize_fixed %x {axis = 0 : i64, multipliers = array<i32: 1610612736, 1610612736>, shifts = array<i32: 0, 2>} : tensor<2x6xi32> -> tensor<2x6xi8>
  return %0 : tensor<2x6xi8>
}

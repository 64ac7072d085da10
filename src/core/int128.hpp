// Int128: the signed 128-bit integer used for exact intermediates of 64-bit fixed-point arithmetic.
#pragma once

namespace kimp {

// GCC's __int128 is an extension; __extension__ keeps -Wpedantic quiet about it in one place.
__extension__ using Int128 = __int128;

}  // namespace kimp

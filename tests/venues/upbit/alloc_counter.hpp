// Counting the test binary's heap allocations, to check a code path allocates nothing.
#pragma once

namespace kimp::venues::upbit::testing {

// False under AddressSanitizer, which provides its own operator new; counting then reports nothing.
bool counts_allocations();
void start_counting_allocations();
// How many times operator new ran since start_counting_allocations().
long stop_counting_allocations();

}  // namespace kimp::venues::upbit::testing

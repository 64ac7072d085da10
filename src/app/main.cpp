// Entry point of the `kimp` command.
#include <iostream>

int main() {
  std::cout << "kimp\n";
  return 0;
}

#include <iostream>
#include <iterator>
#include <string>

#include "msd/record.hpp"

int main() {
  std::string text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  const auto records = msd::read_records(text);
  std::cout << records.size() << " records, mean speed " << msd::mean_speed(records) << " m/s\n";
  return 0;
}

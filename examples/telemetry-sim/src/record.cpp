#include "msd/record.hpp"

#include <sstream>
#include <stdexcept>

namespace msd {

Record parse_record(const std::string& line) {
  std::istringstream in(line);
  Record record{};
  char comma1 = 0;
  char comma2 = 0;
  if (!(in >> record.timestamp_us >> comma1 >> record.altitude_m >> comma2 >> record.speed_mps) ||
      comma1 != ',' || comma2 != ',') {
    throw std::invalid_argument("malformed record: " + line);
  }
  return record;
}

std::vector<Record> read_records(const std::string& text) {
  std::vector<Record> records;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) records.push_back(parse_record(line));
  }
  return records;
}

double mean_speed(const std::vector<Record>& records) {
  if (records.empty()) return 0.0;
  double sum = 0.0;
  for (const auto& record : records) sum += record.speed_mps;
  return sum / static_cast<double>(records.size());
}

}  // namespace msd

#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace msd {

/// One sample of the simulated vehicle state, as stored in a .msd file.
struct Record {
  std::uint64_t timestamp_us;  ///< Microseconds since the start of the run.
  double altitude_m;           ///< Altitude above the reference ellipsoid.
  double speed_mps;            ///< Ground speed.
};

/// Parses one CSV line "timestamp,altitude,speed" into a Record.
/// Throws std::invalid_argument when the line is malformed.
Record parse_record(const std::string& line);

/// Reads every record of a CSV telemetry stream.
std::vector<Record> read_records(const std::string& text);

/// Mean speed over a series of records (0 for an empty series).
double mean_speed(const std::vector<Record>& records);

}  // namespace msd

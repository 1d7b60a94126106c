#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "msd/record.hpp"

namespace py = pybind11;

PYBIND11_MODULE(msd_reader, m) {
  m.doc() = "Read simulated telemetry records (.msd CSV streams).";
  py::class_<msd::Record>(m, "Record")
      .def_readonly("timestamp_us", &msd::Record::timestamp_us)
      .def_readonly("altitude_m", &msd::Record::altitude_m)
      .def_readonly("speed_mps", &msd::Record::speed_mps);
  m.def("parse_record", &msd::parse_record, "Parse one CSV line into a Record.");
  m.def("read_records", &msd::read_records, "Parse a whole CSV stream.");
  m.def("mean_speed", &msd::mean_speed, "Mean speed of a list of records.");
}

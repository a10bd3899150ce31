"""Compiler options shared by every Berth C++ target."""

BERTH_COPTS = [
    "-Wall",
    "-Wextra",
    "-Werror",
    "-Wno-unused-parameter",
]

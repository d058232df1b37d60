"""skm: Survei Kepuasan Masyarakat (PermenPANRB 14/2017) end to end."""

__version__ = "0.1.0"

"""Publication: a unit publishes a period explicitly; the public page ``/p/<unit-slug>/`` shows
only what is published (PermenPANRB 14/2017 p.22-23)."""

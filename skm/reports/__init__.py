"""The official documents of a unit and period: Laporan Hasil Tindak Lanjut (``tindak-lanjut``),
Laporan SKM (``skm``), the processing-form recap (``rekap``) and the publication poster
(``poster``). Each kind registers its builders in :mod:`skm.reports.registry`; ``skm report`` and
the download view both go through :func:`skm.reports.registry.build`."""

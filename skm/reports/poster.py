"""Report kind module: registers its builders with skm.reports.registry.register."""

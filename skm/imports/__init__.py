"""Imports of existing survey data (CSV, XLSX, Google Forms exports, the regulation's processing
form) and exports of everything a unit owns."""

"""Reports as documents: sections of tables and charts, rendered as PDF, XLSX or a web page."""

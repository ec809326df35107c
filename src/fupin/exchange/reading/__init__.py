"""Reading an uploaded file into staging tables: every cell as text, with its row number, nothing interpreted yet.

What arrives is whatever a clerk's computer made: .xlsx from Excel or WPS, CSV in UTF-8, UTF-8 with a BOM or
GB18030 (what Chinese Excel writes), a title row above the headers, a file renamed from something else. Whole-file
problems are refused here with one Chinese message (FileRefused); cell problems are left to validation.

- file: read_file, which reader a file gets (by its content, not its name) and the refusals of what is neither;
- csv: encodings sniffed and transcoded chunk by chunk, then DuckDB's CSV reader streams the rows;
- xlsx: fastexcel (calamine) into Arrow plus one pass over each sheet's XML for what the values do not tell;
- archive: the workbook's zip checked before any reader touches it (zip bombs, DTDs, missing parts);
- base: what they share — Table, FileRefused, the header search and mapping, file and column names.
"""

"""The city-wide rekap of every list: read model (``model``), DynamoDB read (``read``), page and workbook."""

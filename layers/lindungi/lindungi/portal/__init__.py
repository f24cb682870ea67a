"""The staff portal: sign-in (Cognito), roles and scopes, upload by presigned POST, riwayat, reports, cari
peserta and the rekap, server-rendered in Bahasa Indonesia (``web`` is the app)."""

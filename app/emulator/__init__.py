"""A local stand-in for WeChat's servers (API endpoints and OAuth), plus a chat client that signs like WeChat."""

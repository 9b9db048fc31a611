"""The product's two languages: every message is written in Chinese and English (`text.Text`)."""

"""Bot features, one per module (loaded as discord.py extensions by bot.app)."""

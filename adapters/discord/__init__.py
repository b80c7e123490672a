"""Jembatan on Discord: slash commands, buttons and forms in; embeds, threads and DMs out."""

"""The Slack adapter: Bolt app, Block Kit rendering, and the Messenger and Directory ports on Slack."""

"""Discord's limits, in one place.

https://discord.com/developers/docs/resources/message#embed-object-embed-limits: the 6,000 total
applies to all embeds of one message together; a message's own content holds 2,000 characters.
"""

TITLE = 256
DESCRIPTION = 4096
FIELD_VALUE = 1024
FIELDS_PER_EMBED = 25
FOOTER = 2048
EMBED_TOTAL = 6000
EMBEDS_PER_MESSAGE = 10
CONTENT = 2000

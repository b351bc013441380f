"""Discord rendering of claim checks: the verdict, the claim, the reason, the evidence."""

from __future__ import annotations

import discord

from retrieval import ClaimCheck, EvidenceQuote

from ..limits import FIELD_VALUE
from .layout import SOURCE_CAP, Section, add_line_fields, allot, line_floor, reflowed, source_line
from .markdown import fit, one_line, share

MAX_EVIDENCE = 20
CLAIM_CAP = 900
REASON_CAP = 500
PART_CAP = 150  # a compound claim's statement, on its verdict line (six of them at most)
VERDICT_STYLE = {
    "supported": ("✅ Supported", discord.Colour.green()),
    "contradicted": ("❌ Contradicted", discord.Colour.red()),
    "not_enough_evidence": ("⚠️ Not enough evidence", discord.Colour.orange()),
    "conflicting": ("⚖️ Sources conflict", discord.Colour.gold()),
}
STANCE_LABEL = {"supports": "🟢 supports", "refutes": "🔴 refutes", "related": "⚪ related"}


def _evidence_section(e: EvidenceQuote) -> Section:
    tag = f"{STANCE_LABEL.get(e.stance, e.stance)} · "
    quote = one_line(e.quote)
    line_need = len(source_line(e, SOURCE_CAP, tag=tag))
    quote_need = len(fit(quote, FIELD_VALUE)) + 2  # with its quotation marks
    floors = [line_floor(e, tag), min(quote_need, 40)]

    def render(budget: int) -> str:
        # One evidence item is one field value at most; "\n" sits between line and quote.
        line_room, quote_room = share([line_need, quote_need], min(budget, FIELD_VALUE) - 1, floors)
        return f"{source_line(e, line_room, tag=tag)}\n“{fit(quote, quote_room - 2)}”"

    return Section(render, line_floor(e, tag) + 40)


def _part_line(i: int, part: ClaimCheck) -> str:
    """One statement of a compound claim: its verdict mark, the statement, the quotes it cites."""
    mark = VERDICT_STYLE.get(part.verdict, ("?",))[0].split()[0]
    cited = "".join(f"[{e.n}]" for e in part.evidence)
    return f"{mark} {i}. {fit(one_line(part.claim), PART_CAP)} {cited}".rstrip()


def check_embed(check: ClaimCheck) -> discord.Embed:
    """The verdict as the title, the claim and the reason, then numbered evidence with stance."""
    title, colour = VERDICT_STYLE.get(check.verdict, (str(check.verdict), discord.Colour.default()))
    description = f"**Claim:** {fit(one_line(check.claim), CLAIM_CAP) or '—'}"
    reason = fit(one_line(check.reason), REASON_CAP)
    if reason:
        description += f"\n\n{reason}"
    if check.parts:
        description += "\n\n" + "\n".join(_part_line(i, p) for i, p in enumerate(check.parts, 1))
    if not check.evidence:
        description += "\n\nNo passage in the sources speaks to this claim."
    evidence = [_evidence_section(e) for e in check.evidence[:MAX_EVIDENCE]]
    extra = len(check.evidence) - len(evidence)
    more = f"…and {extra} more" if extra > 0 else ""

    def build(total: int) -> discord.Embed:
        room = total - len(title) - len(description) - len(more) - len(evidence) - 1
        embed = discord.Embed(title=title, description=description, colour=colour)
        items = allot(evidence, room)
        add_line_fields(embed, "Evidence", [*items, more] if more else items)
        return embed

    return reflowed(build)

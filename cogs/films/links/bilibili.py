"""Bilibili's two names for one video: the old `av` number and the `BV` id, converted both ways.

The conversion is the site's own (public since 2020, widened to 51-bit numbers in 2024): the number, XORed
with a fixed code under a flag bit, is written in base 58 with the letters in a fixed order and then two
pairs of positions swapped. Films are keyed by the BV id, so `av8903802` and `BV13x41117TL` are one video.
"""

from __future__ import annotations

XOR_CODE = 23442827791579
MASK_CODE = (1 << 51) - 1
FLAG = 1 << 51
ALPHABET = "FcwAPNKTMug3GV5Lj7EJnHpWsx4tb8haYeviqBz6rkCy12mUSDQX9RdoZf"
# Where each base-58 digit (least significant first) goes among the nine letters after "BV1".
PLACES = (8, 7, 0, 5, 1, 3, 2, 4, 6)


def av_to_bv(aid: int) -> str | None:
    """`8903802` -> `BV13x41117TL`; None for a number the scheme cannot hold."""
    if not 0 < aid < FLAG:
        return None
    value = (FLAG | aid) ^ XOR_CODE
    letters = [""] * len(PLACES)
    for place in PLACES:
        value, digit = divmod(value, len(ALPHABET))
        letters[place] = ALPHABET[digit]
    return "BV1" + "".join(letters)


def bv_to_av(bvid: str) -> int | None:
    """`BV13x41117TL` -> `8903802`; None when it is not a well-formed BV id."""
    if len(bvid) != 12 or not bvid.upper().startswith("BV1"):
        return None
    value = 0
    for place in reversed(PLACES):
        index = ALPHABET.find(bvid[3 + place])
        if index < 0:
            return None
        value = value * len(ALPHABET) + index
    return (value & MASK_CODE) ^ XOR_CODE

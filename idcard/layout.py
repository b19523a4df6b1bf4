"""Where the MOI applet keeps each field (offsets from public descriptions of the card).

The applet is one transparent file; READ BINARY's P1P2 is the byte offset. We read a few
contiguous blocks instead of one command per field: fewer APDUs, a faster read.
"""

AID_MOI = bytes.fromhex("A000000054480001")

# field: (offset, length)
CID = (0x0004, 13)
NAME_TH = (0x0011, 100)
NAME_EN = (0x0075, 100)
BIRTH_DATE = (0x00D9, 8)
SEX = (0x00E1, 1)
ISSUER = (0x00F6, 100)
ISSUE_DATE = (0x0167, 8)
EXPIRY_DATE = (0x016F, 8)
PHOTO = (0x017B, 20 * 255)
PHOTO_CHUNK = 255
ADDRESS = (0x1579, 160)

# The blocks actually read: (offset, length), each ≤ 255 bytes (one short APDU).
PERSON_BLOCK = (0x0004, SEX[0] + SEX[1] - 0x0004)  # ID, names, birth date, sex: 222 bytes
CARD_BLOCK = (ISSUER[0], EXPIRY_DATE[0] + EXPIRY_DATE[1] - ISSUER[0])  # issuer, dates: 129
ADDRESS_BLOCK = ADDRESS

MEMORY_SIZE = ADDRESS[0] + ADDRESS[1]

# ATRs of the card generations we know. Cards whose ATR starts 3B 67 want GET RESPONSE with
# P2 = 01; the others P2 = 00.
KNOWN_ATRS = {
    bytes.fromhex("3B6800000073C84012009000"): "standard",
    bytes.fromhex("3B67000000000000009000"): "p2-01",
    bytes.fromhex("3B7896000080318065B0850300EF1200000000"): "standard",
}


def get_response_p2(atr: bytes) -> int:
    return 0x01 if atr[:2] == b"\x3b\x67" else 0x00

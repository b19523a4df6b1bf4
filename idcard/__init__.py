"""Reading the Thai national ID card over any APDU transport (see `reader.read_card`).

No Django here: the library runs on the officer's PC inside `python -m idcard serve`.
"""

"""Receipts: 16 digits whose check digit catches every single typo and neighbour swap."""

import pytest

from oretrace.grievances import receipts


def test_a_new_receipt_has_16_digits_and_parses():
    receipt = receipts.new_receipt()
    assert len(receipt) == 16
    assert receipt.isdigit()
    assert receipts.parse(receipt) == receipt


def test_receipts_are_random():
    assert len({receipts.new_receipt() for _ in range(200)}) == 200


def test_grouped_form_reads_back():
    receipt = receipts.new_receipt()
    shown = receipts.grouped(receipt)
    assert shown.count(" ") == 3
    assert receipts.parse(shown) == receipt
    assert receipts.parse(shown.replace(" ", "-")) == receipt


@pytest.mark.parametrize("seed", range(20))
def test_every_single_wrong_digit_is_caught(seed):
    receipt = receipts.new_receipt()
    for position in range(16):
        for digit in "0123456789":
            if digit == receipt[position]:
                continue
            typo = receipt[:position] + digit + receipt[position + 1 :]
            with pytest.raises(receipts.ReceiptInvalid, match="typing mistake"):
                receipts.parse(typo)


@pytest.mark.parametrize("seed", range(20))
def test_every_swap_of_neighbours_is_caught(seed):
    receipt = receipts.new_receipt()
    for position in range(15):
        a, b = receipt[position], receipt[position + 1]
        if a == b:
            continue
        swapped = receipt[:position] + b + a + receipt[position + 2 :]
        with pytest.raises(receipts.ReceiptInvalid):
            receipts.parse(swapped)


@pytest.mark.parametrize(
    ("text", "message"),
    [("1234", "16 digits, this has 4"), ("1234 5678 9012 345x", "digits only"), ("", "16 digits")],
)
def test_bad_text_says_what_is_wrong(text, message):
    with pytest.raises(receipts.ReceiptInvalid, match=message):
        receipts.parse(text)

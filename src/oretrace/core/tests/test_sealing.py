"""The key ring that seals personal data at rest (core.sealing): rotation, binding, folders."""

import stat

import pytest

from oretrace.core.exceptions import OretraceError
from oretrace.core.sealing import KeyRing


class RingError(OretraceError):
    pass


@pytest.fixture
def rings(settings, tmp_path):
    settings.RING_A_DIR = tmp_path / "a"
    settings.RING_B_DIR = tmp_path / "b"
    return KeyRing("RING_A_DIR", "alpha", RingError), KeyRing("RING_B_DIR", "beta", RingError)


def test_a_text_opens_with_its_ring_and_context_only(rings):
    alpha, beta = rings
    sealed = alpha.seal("Sunita, ward 7", context="case:1")
    assert b"Sunita" not in sealed.data
    assert alpha.unseal(sealed, context="case:1") == "Sunita, ward 7"
    with pytest.raises(RingError, match="alpha text of case 2 does not open"):
        alpha.unseal(sealed, context="case:2")
    with pytest.raises(RingError, match=f"beta key {sealed.key_id} is not in"):
        beta.unseal(sealed, context="case:1")


def test_a_new_key_seals_and_the_old_one_still_opens(rings):
    alpha, _beta = rings
    old = alpha.seal("first", context="x")
    newer = alpha.new_key()
    assert alpha.current_key_id() == newer
    assert alpha.key_ids() == [old.key_id, newer]
    assert alpha.seal("second", context="x").key_id == newer
    assert alpha.unseal(old, context="x") == "first"
    key_file = alpha.folder() / f"{newer}.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_a_damaged_key_file_is_named(rings):
    alpha, _beta = rings
    sealed = alpha.seal("text", context="x")
    (alpha.folder() / f"{sealed.key_id}.key").write_text("not base64!\n")
    with pytest.raises(RingError, match="cannot read the alpha key"):
        alpha.unseal(sealed, context="x")

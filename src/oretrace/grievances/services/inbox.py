"""SMS intake at volume: the webhook keeps the message in an inbox and answers at once; a worker
files the inbox into cases in batches (``filing``, through ``sms.receive_sms``, exactly once as
ever).

Turned on by ``ORETRACE_GRIEVANCE_SMS_INBOX``. The webhook's work is then the signature, the
parse, the text's check and one insert that a duplicate skips (``ON CONFLICT DO NOTHING`` on
the message's gateway id); the slow parts of filing (the receipt's scrypt hash for a new case,
finding the sender's case, sealing) move to the worker. A message is never lost: its row stays
until the transaction that filed it commits, and a duplicate arriving after it was filed is
found by ``receive_sms``'s own unique row and changes nothing.
"""

from __future__ import annotations

import json

from django.db import transaction

from oretrace.grievances import sealing
from oretrace.grievances.models import Channel, SmsInbox
from oretrace.grievances.services import outbound
from oretrace.grievances.services.common import clean_text
from oretrace.grievances.services.filing import context
from oretrace.grievances.sms import InboundSms


def take_in(channel: Channel, sms: InboundSms) -> None:
    """Keep one received SMS for the worker; a second delivery of it inserts nothing. A text
    that could never be filed (empty, too long) is refused now, so the gateway hears why."""
    clean_text(sms.text, field="text", what="SMS")
    document = json.dumps({"sender": sms.sender, "text": sms.text}, ensure_ascii=False)
    sealed = sealing.RING.seal(document, context=context(sms.gateway, sms.message_id))
    row = SmsInbox(
        channel=channel,
        gateway=sms.gateway,
        external_id=sms.message_id,
        key_id=sealed.key_id,
        sealed=sealed.data,
    )
    SmsInbox.objects.bulk_create([row], ignore_conflicts=True)
    transaction.on_commit(outbound.start_filing)

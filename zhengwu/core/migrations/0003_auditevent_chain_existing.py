"""Chain the audit rows written before the chain existed, in id order, and copy who acted.

The actor's name and 工号 are taken from the account and its staff record as they are now (the
best there is for old rows); rows whose account is gone keep a blank name. Runs in batches by
id, so a trail of millions of rows is walked with flat memory; each batch is one prepared
UPDATE run for many rows (``bulk_update``'s CASE expressions grow with the square of a batch).
"""

from django.conf import settings
from django.db import migrations

from zhengwu.core.models import CHAIN_FIELDS, audit_digest

BATCH = 5000


def chain_existing(apps, schema_editor):
    AuditEvent = apps.get_model("core", "AuditEvent")
    User = apps.get_model(settings.AUTH_USER_MODEL)
    Staff = apps.get_model("org", "Staff")
    connection = schema_editor.connection
    qn = connection.ops.quote_name
    update = (f"UPDATE {qn(AuditEvent._meta.db_table)} SET {qn('actor_name')} = %s, {qn('actor_no')} = %s, "
              f"{qn('prev_hash')} = %s, {qn('hash')} = %s WHERE {qn('id')} = %s")
    prev, last_id = "", 0
    while True:
        rows = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:BATCH])
        if not rows:
            return
        actor_ids = {r.actor_id for r in rows if r.actor_id is not None}
        users = User.objects.in_bulk(actor_ids)
        staff = {s.user_id: s for s in Staff.objects.filter(user_id__in=actor_ids)}
        params = []
        for r in rows:
            if r.actor_id is not None and not r.actor_name:
                if r.actor_id in staff:
                    r.actor_name, r.actor_no = staff[r.actor_id].name, staff[r.actor_id].employee_no
                elif r.actor_id in users:
                    u = users[r.actor_id]  # accounts.User.display_name, as it reads today
                    r.actor_name = (u.real_name or f"{u.first_name} {u.last_name}".strip() or u.username)[:150]
            r.prev_hash = prev
            r.hash = prev = audit_digest(**{f: getattr(r, f) for f in CHAIN_FIELDS})
            params.append((r.actor_name, r.actor_no, r.prev_hash, r.hash, r.pk))
        with connection.cursor() as cursor:
            cursor.executemany(update, params)
        last_id = rows[-1].pk


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0002_auditevent_chain"),
        ("org", "0003_staff_photo"),
    ]

    operations = [migrations.RunPython(chain_existing, migrations.RunPython.noop, elidable=False)]

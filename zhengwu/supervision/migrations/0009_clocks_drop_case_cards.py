"""Supervision moves onto clocks (监察时钟): cards point at a clock instead of a case.

The case-bound cards, 超时默认 records and step starts are dropped here and the tables recreated in
0010; ``zhengwu clocks_backfill`` then starts clocks for the open cases and 依申请公开 requests, and the
next sweep raises the cards that still apply. Cleared cards of the past are not carried over.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("supervision", "0008_evidence_token_dir")]

    operations = [
        migrations.DeleteModel("Card"),
        migrations.DeleteModel("StepStart"),
        migrations.DeleteModel("DeemedApproval"),
    ]

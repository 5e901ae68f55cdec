from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0003_auditevent_chain_existing"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(condition=models.Q(("prev_hash", ""), _negated=True),
                                               fields=("prev_hash",), name="core_auditevent_one_successor"),
        ),
    ]

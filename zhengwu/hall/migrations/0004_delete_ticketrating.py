"""The rating pad records 好差评 ratings (ratings.Rating); its own table goes (its rows: 0003)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("hall", "0003_ticketrating_to_ratings")]

    operations = [migrations.DeleteModel(name="TicketRating")]

import backend.merchants.models
from django.db import migrations, models


def fill_keys(apps, schema_editor):
    Merchant = apps.get_model("merchants", "Merchant")
    for merchant in Merchant.objects.filter(publishable_key__isnull=True):
        merchant.publishable_key = backend.merchants.models.new_publishable_key()
        merchant.save(update_fields=["publishable_key"])


class Migration(migrations.Migration):
    dependencies = [("merchants", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="merchant",
            name="publishable_key",
            field=models.CharField(max_length=40, null=True),
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="merchant",
            name="publishable_key",
            field=models.CharField(
                default=backend.merchants.models.new_publishable_key, max_length=40, unique=True
            ),
        ),
        migrations.AddField(
            model_name="merchant",
            name="widget_origins",
            field=models.JSONField(
                blank=True, default=list,
                help_text="Sites allowed to embed the widget (CORS origins).",
            ),
        ),
    ]

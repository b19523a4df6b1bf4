from django.db import migrations

DOCUMENT_TYPES = [
    ("person_record", "ข้อมูลทะเบียนราษฎร (บัตรประจำตัวประชาชน)", "Person record (ID card)"),
    ("house_registration", "ทะเบียนบ้าน", "House registration"),
    ("juristic_person", "ข้อมูลนิติบุคคล", "Juristic-person record"),
]


def seed(apps, schema_editor):
    DocumentType = apps.get_model("exchange", "DocumentType")
    for code, name_th, name_en in DOCUMENT_TYPES:
        DocumentType.objects.get_or_create(code=code, defaults={"name_th": name_th, "name_en": name_en})
    apps.get_model("exchange", "LogState").objects.get_or_create(pk=1)
    apps.get_model("exchange", "DirectoryState").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("exchange", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

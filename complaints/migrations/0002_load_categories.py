from django.db import migrations

CATEGORIES = [
    ("service", "การให้บริการของหน่วยงาน", "A government service", True),
    ("copy-asked", "ถูกขอสำเนาบัตรประชาชนหรือทะเบียนบ้าน", "Asked for a copy of my ID card or house registration", True),
    ("staff", "พฤติกรรมเจ้าหน้าที่", "Staff conduct", True),
    ("road", "ถนน ทางเท้า ชำรุด", "Damaged road or footpath", False),
    ("flooding", "น้ำท่วม ท่อระบายน้ำ", "Flooding or drains", False),
    ("streetlight", "ไฟฟ้าส่องสว่างดับ", "Street light out", False),
    ("sign", "ป้ายจราจรชำรุด", "Damaged traffic sign", False),
    ("waste", "ขยะ สิ่งปฏิกูล", "Rubbish", False),
    ("other", "อื่น ๆ", "Other", False),
]


def load(apps, schema_editor):
    Category = apps.get_model("complaints", "Category")
    for order, (code, name_th, name_en, about_service) in enumerate(CATEGORIES):
        Category.objects.get_or_create(
            code=code,
            defaults={
                "name_th": name_th,
                "name_en": name_en,
                "is_about_service": about_service,
                "order": order,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

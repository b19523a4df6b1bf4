"""Question 8's default limitations (ก–ช; the seed lists none) and the seed's Phase 1 round."""

import datetime

from django.db import migrations

OPTIONS = [
    ("ก", "งบประมาณไม่เพียงพอ", "Not enough budget"),
    ("ข", "ขาดบุคลากรด้านเทคโนโลยีสารสนเทศ", "Not enough IT staff"),
    ("ค", "อุปกรณ์ไม่เพียงพอ เช่น เครื่องอ่านบัตร คอมพิวเตอร์ หรือเครือข่าย",
     "Not enough equipment, such as card readers, computers or network"),
    ("ง", "กฎหมาย ระเบียบ หรือข้อบังคับยังกำหนดให้ต้องใช้สำเนาเอกสาร",
     "Laws, regulations or rules still require the copies"),
    ("จ", "ระบบงานเดิมยังไม่รองรับการเชื่อมโยงข้อมูล",
     "Existing systems cannot yet link data"),
    ("ฉ", "ต้องใช้ข้อมูลที่ไม่มีในบัตรประชาชนหรือฐานข้อมูลทะเบียนราษฎร",
     "Needs data that is not on the ID card or in the civil registration database"),
    ("ช", "ผู้รับบริการมักไม่มาติดต่อด้วยตนเอง เช่น มอบอำนาจหรือยื่นทางไปรษณีย์",
     "Citizens often do not come in person, for example by proxy or by post"),
]


def forward(apps, schema_editor):
    LimitationOption = apps.get_model("readiness", "LimitationOption")
    SurveyRound = apps.get_model("readiness", "SurveyRound")
    for position, (letter, text_th, text_en) in enumerate(OPTIONS, start=1):
        LimitationOption.objects.get_or_create(
            letter=letter,
            defaults={"text_th": text_th, "text_en": text_en, "position": position},
        )
    SurveyRound.objects.get_or_create(
        name_th="ระยะที่ 1 (พ.ศ. 2561)",
        defaults={
            "name_en": "Phase 1 (2018)",
            "opens_on": datetime.date(2018, 5, 7),
            "closes_on": datetime.date(2018, 5, 31),
        },
    )


class Migration(migrations.Migration):
    dependencies = [("readiness", "0001_initial")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]

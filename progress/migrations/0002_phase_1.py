import datetime

from django.db import migrations

# The seed's Phase 1 schedule (the briefing's table for the agencies).
ACTIVITIES = [
    ("หน่วยงานลงทะเบียนเพื่อขอรับ Username และ Password",
     "Agencies register for a username and password",
     datetime.date(2018, 5, 7), datetime.date(2018, 5, 31), "registered"),
    ("หน่วยงานปักหมุดจุดให้บริการ",
     "Agencies pin their service points",
     datetime.date(2018, 5, 7), datetime.date(2018, 5, 31), "pinned"),
    ("หน่วยงานที่ปักหมุดแล้วตอบแบบสำรวจความพร้อม",
     "Agencies that pinned take the readiness survey",
     datetime.date(2018, 5, 7), datetime.date(2018, 5, 31), "surveyed"),
    ("หน่วยงานปรับกระบวนงานเพื่อยกเลิกการขอสำเนาเอกสาร",
     "Agencies change their processes to stop asking for the copies",
     datetime.date(2018, 7, 1), datetime.date(2018, 9, 30), "copies_stopped"),
]


def load(apps, schema_editor):
    Phase = apps.get_model("progress", "Phase")
    Activity = apps.get_model("progress", "Activity")
    phase, _created = Phase.objects.get_or_create(
        number=1, defaults={"name_th": "ระยะที่ 1", "name_en": "Phase 1"}
    )
    for position, (name_th, name_en, starts, ends, measure) in enumerate(ACTIVITIES, 1):
        Activity.objects.get_or_create(
            phase=phase, position=position,
            defaults={"name_th": name_th, "name_en": name_en, "starts_on": starts,
                      "ends_on": ends, "measure": measure},
        )


def unload(apps, schema_editor):
    Phase = apps.get_model("progress", "Phase")
    Activity = apps.get_model("progress", "Activity")
    Activity.objects.filter(phase__number=1).delete()
    Phase.objects.filter(number=1).delete()


class Migration(migrations.Migration):
    dependencies = [("progress", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]

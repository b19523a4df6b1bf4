"""Demo Citizen's Manual records, written for this project (not copied from any real manual).

Idempotent: a service whose agency and code already exist is left alone. Some services are
published twice, the second time without the ID-card or house-registration copy, with dates
in the No Copy programme's 2018 window, so the "no longer required" history has something
to show.
"""

import datetime
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from agencies.models import Agency
from manual.models import Service
from manual.services import service_publish, service_save

TZ = datetime.timezone(datetime.timedelta(hours=7))
HOURS = "จันทร์–ศุกร์ 08:30–16:30 น. (เว้นวันหยุดราชการ)"
COMPLAIN = "ศูนย์ดำรงธรรม โทร. 1567 หรือสำนักงานคณะกรรมการพัฒนาระบบราชการ โทร. 1111"


def step(description, value, unit, who):
    return {
        "description": description,
        "duration_value": value,
        "duration_unit": unit,
        "responsible_unit": who,
    }


def doc(name, form="original", count=1, issuer="", id_copy=False, house_copy=False, note=""):
    return {
        "name": name,
        "form": form,
        "count": count,
        "issuing_agency": issuer,
        "is_id_card_copy": id_copy,
        "is_house_registration_copy": house_copy,
        "note": note,
    }


def office(place, province, hours=HOURS):
    return {
        "kind": "office",
        "place": place,
        "province": province,
        "opening_hours": hours,
        "url": "",
    }


def online(url, place=""):
    return {
        "kind": "e_service",
        "place": place,
        "province": "",
        "opening_hours": "ตลอด 24 ชั่วโมง",
        "url": url,
    }


ID_CARD = doc("บัตรประจำตัวประชาชน", issuer="กรมการปกครอง")
ID_COPY = doc("สำเนาบัตรประจำตัวประชาชน", "copy", issuer="กรมการปกครอง", id_copy=True)
HOUSE_COPY = doc("สำเนาทะเบียนบ้าน", "copy", issuer="กรมการปกครอง", house_copy=True)

# (agency code, fields, steps, documents, fees, channels, documents after the No Copy change
#  or None, date of first publication, date of the change)
SERVICES = [
    (
        "dopa-cmi-muang",
        {
            "code": "id-card-new",
            "name_th": "การทำบัตรประจำตัวประชาชนครั้งแรก",
            "name_en": "Applying for a first national ID card",
            "category": "civil_registration",
            "keywords": "บัตรประชาชน ทำบัตรใหม่ อายุ 7 ปี",
            "description": "ผู้มีสัญชาติไทยอายุตั้งแต่ 7 ปีบริบูรณ์ ต้องยื่นคำขอมีบัตรภายใน 60 วัน",
            "legal_basis": "พระราชบัญญัติบัตรประจำตัวประชาชน พ.ศ. 2526",
            "criteria": "ยื่นคำขอด้วยตนเองที่สำนักทะเบียนอำเภอหรือสำนักทะเบียนท้องถิ่น",
            "total_duration_value": 30,
            "total_duration_unit": "minutes",
            "no_fee": True,
        },
        [
            step("ยื่นคำขอและตรวจสอบเอกสาร", 10, "minutes", "งานทะเบียนและบัตร"),
            step("ถ่ายภาพ พิมพ์ลายนิ้วมือ และบันทึกข้อมูล", 10, "minutes", "งานทะเบียนและบัตร"),
            step("นายทะเบียนพิจารณาอนุมัติและมอบบัตร", 10, "minutes", "นายทะเบียนอำเภอ"),
        ],
        [doc("สูติบัตร", issuer="กรมการปกครอง"), HOUSE_COPY],
        [],
        [office("ที่ว่าการอำเภอเมืองเชียงใหม่", "50")],
        [doc("สูติบัตร", issuer="กรมการปกครอง")],
        datetime.datetime(2017, 3, 1, 9, 0, tzinfo=TZ),
        datetime.datetime(2018, 8, 15, 9, 0, tzinfo=TZ),
    ),
    (
        "dopa-cmi-muang",
        {
            "code": "house-move-in",
            "name_th": "การแจ้งย้ายเข้าทะเบียนบ้าน",
            "name_en": "Registering a move into a house",
            "category": "civil_registration",
            "keywords": "ย้ายเข้า ย้ายทะเบียนบ้าน",
            "legal_basis": "พระราชบัญญัติการทะเบียนราษฎร พ.ศ. 2534",
            "criteria": "แจ้งภายใน 15 วันนับแต่วันที่ย้ายเข้า เจ้าบ้านต้องยินยอม",
            "total_duration_value": 30,
            "total_duration_unit": "minutes",
            "no_fee": True,
        },
        [
            step("ยื่นใบแจ้งการย้ายที่อยู่พร้อมหลักฐาน", 15, "minutes", "งานทะเบียนราษฎร"),
            step("นายทะเบียนตรวจสอบและเพิ่มชื่อเข้าทะเบียนบ้าน", 15, "minutes", "นายทะเบียนอำเภอ"),
        ],
        [
            ID_CARD,
            ID_COPY,
            doc("ทะเบียนบ้านฉบับเจ้าบ้าน", issuer="กรมการปกครอง"),
            doc("หนังสือยินยอมของเจ้าบ้าน"),
        ],
        [],
        [office("ที่ว่าการอำเภอเมืองเชียงใหม่", "50")],
        [ID_CARD, doc("ทะเบียนบ้านฉบับเจ้าบ้าน", issuer="กรมการปกครอง"), doc("หนังสือยินยอมของเจ้าบ้าน")],
        datetime.datetime(2017, 3, 1, 9, 0, tzinfo=TZ),
        datetime.datetime(2018, 9, 3, 9, 0, tzinfo=TZ),
    ),
    (
        "dlt-cmi",
        {
            "code": "driving-licence-renewal",
            "name_th": "การต่ออายุใบอนุญาตขับรถยนต์ส่วนบุคคล",
            "name_en": "Renewing a private car driving licence",
            "category": "transport",
            "keywords": "ใบขับขี่ ต่อใบขับขี่",
            "legal_basis": "พระราชบัญญัติรถยนต์ พ.ศ. 2522",
            "criteria": "ยื่นคำขอได้ก่อนใบอนุญาตสิ้นอายุไม่เกิน 3 เดือน",
            "total_duration_value": 1,
            "total_duration_unit": "hours",
            "no_fee": False,
        },
        [
            step("ยื่นคำขอและตรวจสอบเอกสาร", 10, "minutes", "งานใบอนุญาตขับรถ"),
            step("อบรมความรู้เรื่องกฎหมายและมารยาทในการขับรถ", 1, "hours", "งานใบอนุญาตขับรถ"),
            step("ชำระค่าธรรมเนียม ถ่ายรูป และรับใบอนุญาต", 10, "minutes", "งานใบอนุญาตขับรถ"),
        ],
        [
            ID_CARD,
            doc("ใบอนุญาตขับรถฉบับเดิม", issuer="กรมการขนส่งทางบก"),
            doc("ใบรับรองแพทย์", issuer="สถานพยาบาล", note="ออกให้ไม่เกิน 1 เดือน"),
        ],
        [
            {"description": "ค่าธรรมเนียมใบอนุญาตขับรถยนต์ส่วนบุคคล 5 ปี", "amount": Decimal("500")},
            {"description": "ค่าคำขอ", "amount": Decimal("5")},
        ],
        [office("สำนักงานขนส่งจังหวัดเชียงใหม่", "50"), online("https://gecc.dlt.go.th/", "จองคิวล่วงหน้า")],
        None,
        datetime.datetime(2018, 10, 1, 9, 0, tzinfo=TZ),
        None,
    ),
    (
        "dol-kkn",
        {
            "code": "land-transfer-sale",
            "name_th": "การจดทะเบียนขายที่ดินมีโฉนด",
            "name_en": "Registering the sale of titled land",
            "category": "land",
            "keywords": "โอนที่ดิน โอนโฉนด ซื้อขายที่ดิน",
            "legal_basis": "ประมวลกฎหมายที่ดิน",
            "total_duration_value": 1,
            "total_duration_unit": "days",
            "no_fee": False,
        },
        [
            step("ยื่นคำขอและตรวจสอบหลักฐาน", 1, "hours", "ฝ่ายทะเบียน"),
            step("ประเมินราคาและคำนวณค่าธรรมเนียม", 1, "hours", "ฝ่ายทะเบียน"),
            step("ชำระเงินและจดทะเบียนในโฉนดที่ดิน", 2, "hours", "เจ้าพนักงานที่ดิน"),
        ],
        [doc("โฉนดที่ดิน", issuer="กรมที่ดิน"), ID_CARD, ID_COPY, HOUSE_COPY],
        [
            {
                "description": "ค่าธรรมเนียมการโอน ร้อยละ 2 ของราคาประเมิน (ตัวอย่างสำหรับราคา 1,000,000 บาท)",
                "amount": Decimal("20000"),
            },
            {"description": "ค่าคำขอ", "amount": Decimal("5")},
        ],
        [office("สำนักงานที่ดินจังหวัดขอนแก่น", "40")],
        [doc("โฉนดที่ดิน", issuer="กรมที่ดิน"), ID_CARD, HOUSE_COPY],
        datetime.datetime(2017, 6, 1, 9, 0, tzinfo=TZ),
        datetime.datetime(2018, 9, 20, 9, 0, tzinfo=TZ),
    ),
    (
        "dbd-nma",
        {
            "code": "sole-proprietor-registration",
            "name_th": "การจดทะเบียนพาณิชย์ (ตั้งใหม่) บุคคลธรรมดา",
            "name_en": "Registering a new sole proprietorship",
            "category": "business",
            "keywords": "จดทะเบียนร้านค้า ทะเบียนพาณิชย์",
            "legal_basis": "พระราชบัญญัติทะเบียนพาณิชย์ พ.ศ. 2499",
            "criteria": "ยื่นภายใน 30 วันนับแต่วันเริ่มประกอบกิจการ",
            "total_duration_value": 30,
            "total_duration_unit": "minutes",
            "no_fee": False,
        },
        [
            step("ยื่นแบบ ทพ. และตรวจสอบเอกสาร", 15, "minutes", "งานทะเบียนพาณิชย์"),
            step("ชำระค่าธรรมเนียมและรับใบทะเบียนพาณิชย์", 15, "minutes", "งานทะเบียนพาณิชย์"),
        ],
        [
            doc("แบบ ทพ.", issuer="กรมพัฒนาธุรกิจการค้า"),
            ID_COPY,
            HOUSE_COPY,
            doc("หนังสือให้ความยินยอมให้ใช้สถานที่", "copy"),
        ],
        [{"description": "ค่าธรรมเนียมจดทะเบียน", "amount": Decimal("50")}],
        [
            office("สำนักงานพัฒนาธุรกิจการค้าจังหวัดนครราชสีมา", "30"),
            online("https://efiling.dbd.go.th/", "ระบบจดทะเบียนออนไลน์"),
        ],
        None,
        datetime.datetime(2018, 5, 7, 9, 0, tzinfo=TZ),
        None,
    ),
    (
        "sso-pkt",
        {
            "code": "unemployment-benefit",
            "name_th": "การขอรับประโยชน์ทดแทนกรณีว่างงาน",
            "name_en": "Claiming unemployment benefit",
            "category": "social",
            "keywords": "ว่างงาน ตกงาน ประกันสังคม",
            "legal_basis": "พระราชบัญญัติประกันสังคม พ.ศ. 2533",
            "criteria": "จ่ายเงินสมทบไม่น้อยกว่า 6 เดือนภายใน 15 เดือนก่อนว่างงาน และขึ้นทะเบียนผู้ว่างงานภายใน 30 วัน",
            "total_duration_value": 5,
            "total_duration_unit": "working_days",
            "no_fee": True,
        },
        [
            step("ขึ้นทะเบียนผู้ว่างงานและยื่นแบบ สปส. 2-01/7", 30, "minutes", "สำนักงานจัดหางาน"),
            step("ตรวจสอบสิทธิและอนุมัติ", 5, "working_days", "กลุ่มงานประโยชน์ทดแทน"),
        ],
        [
            doc("แบบคำขอรับประโยชน์ทดแทน (สปส. 2-01/7)", issuer="สำนักงานประกันสังคม"),
            ID_CARD,
            ID_COPY,
            doc("สำเนาหน้าสมุดบัญชีเงินฝากธนาคาร", "copy"),
        ],
        [],
        [
            office("สำนักงานประกันสังคมจังหวัดภูเก็ต", "83"),
            online("https://e-service.doe.go.th/", "ขึ้นทะเบียนผู้ว่างงานออนไลน์"),
        ],
        [
            doc("แบบคำขอรับประโยชน์ทดแทน (สปส. 2-01/7)", issuer="สำนักงานประกันสังคม"),
            ID_CARD,
            doc("สำเนาหน้าสมุดบัญชีเงินฝากธนาคาร", "copy"),
        ],
        datetime.datetime(2017, 9, 1, 9, 0, tzinfo=TZ),
        datetime.datetime(2018, 7, 16, 9, 0, tzinfo=TZ),
    ),
    (
        "dca-passport-cmi",
        {
            "code": "passport-adult",
            "name_th": "การขอหนังสือเดินทางบุคคลธรรมดา (ผู้บรรลุนิติภาวะ)",
            "name_en": "Applying for an ordinary passport (adults)",
            "category": "travel",
            "keywords": "พาสปอร์ต ทำพาสปอร์ต",
            "legal_basis": "ระเบียบกระทรวงการต่างประเทศว่าด้วยการออกหนังสือเดินทาง",
            "total_duration_value": 3,
            "total_duration_unit": "working_days",
            "no_fee": False,
        },
        [
            step("ยื่นคำร้อง ถ่ายรูป และเก็บลายนิ้วมือ", 20, "minutes", "ฝ่ายหนังสือเดินทาง"),
            step("ผลิตเล่มและจัดส่งทางไปรษณีย์หรือรับด้วยตนเอง", 3, "working_days", "กองหนังสือเดินทาง"),
        ],
        [ID_CARD],
        [{"description": "ค่าธรรมเนียมหนังสือเดินทางอายุ 5 ปี", "amount": Decimal("1000")}],
        [
            office("สำนักงานหนังสือเดินทางชั่วคราว จังหวัดเชียงใหม่", "50", "จันทร์–ศุกร์ 08:00–15:30 น."),
            online("https://www.passport.in.th/", "นัดหมายล่วงหน้า"),
        ],
        None,
        datetime.datetime(2018, 2, 1, 9, 0, tzinfo=TZ),
        None,
    ),
    (
        "rd-cmi",
        {
            "code": "tax-id-registration",
            "name_th": "การขอมีเลขประจำตัวผู้เสียภาษีอากร",
            "name_en": "Registering for a taxpayer identification number",
            "category": "tax",
            "keywords": "เลขผู้เสียภาษี บัตรภาษี ล.ป.10",
            "legal_basis": "ประมวลรัษฎากร มาตรา 3 เอกาทศ",
            "total_duration_value": 30,
            "total_duration_unit": "minutes",
            "no_fee": True,
        },
        [
            step("ยื่นแบบ ล.ป.10.3 และตรวจสอบเอกสาร", 15, "minutes", "ฝ่ายบริการผู้เสียภาษี"),
            step("บันทึกข้อมูลและออกบัตรประจำตัวผู้เสียภาษี", 15, "minutes", "ฝ่ายบริการผู้เสียภาษี"),
        ],
        [doc("แบบ ล.ป.10.3", issuer="กรมสรรพากร"), ID_CARD, HOUSE_COPY],
        [],
        [
            office("สำนักงานสรรพากรพื้นที่เชียงใหม่", "50"),
            online("https://efiling.rd.go.th/", "ยื่นคำขอทางอินเทอร์เน็ต"),
        ],
        None,
        datetime.datetime(2018, 4, 2, 9, 0, tzinfo=TZ),
        None,
    ),
    (
        "bma-district-bangrak",
        {
            "code": "id-card-replacement",
            "name_th": "การทำบัตรประจำตัวประชาชนกรณีบัตรหายหรือถูกทำลาย",
            "name_en": "Replacing a lost or destroyed ID card",
            "category": "civil_registration",
            "keywords": "บัตรหาย บัตรประชาชนหาย",
            "legal_basis": "พระราชบัญญัติบัตรประจำตัวประชาชน พ.ศ. 2526",
            "total_duration_value": 30,
            "total_duration_unit": "minutes",
            "no_fee": False,
        },
        [
            step("ยื่นคำขอและแจ้งเหตุบัตรหาย", 10, "minutes", "ฝ่ายทะเบียน"),
            step("ตรวจสอบข้อมูลจากฐานข้อมูลทะเบียนราษฎร", 10, "minutes", "ฝ่ายทะเบียน"),
            step("ชำระค่าธรรมเนียมและรับบัตร", 10, "minutes", "ฝ่ายทะเบียน"),
        ],
        [HOUSE_COPY, doc("เอกสารที่ทางราชการออกให้ซึ่งมีรูปถ่าย (ถ้ามี)")],
        [{"description": "ค่าธรรมเนียมออกบัตรใหม่", "amount": Decimal("100")}],
        [office("สำนักงานเขตบางรัก", "10", "จันทร์–ศุกร์ 08:00–16:00 น. และเสาร์ 08:00–12:00 น.")],
        [doc("เอกสารที่ทางราชการออกให้ซึ่งมีรูปถ่าย (ถ้ามี)")],
        datetime.datetime(2017, 1, 10, 9, 0, tzinfo=TZ),
        datetime.datetime(2018, 7, 2, 9, 0, tzinfo=TZ),
    ),
    (
        "doe-ubn",
        {
            "code": "job-seeker-registration",
            "name_th": "การลงทะเบียนผู้หางาน",
            "name_en": "Registering as a job seeker",
            "category": "employment",
            "keywords": "หางาน สมัครงาน",
            "legal_basis": "พระราชบัญญัติจัดหางานและคุ้มครองคนหางาน พ.ศ. 2528",
            "total_duration_value": 20,
            "total_duration_unit": "minutes",
            "no_fee": True,
        },
        [step("กรอกใบสมัครและสัมภาษณ์เบื้องต้น", 20, "minutes", "กลุ่มงานบริการจัดหางาน")],
        [ID_CARD, ID_COPY, doc("สำเนาวุฒิการศึกษา", "copy")],
        [],
        [
            office("สำนักงานจัดหางานจังหวัดอุบลราชธานี", "34"),
            online("https://smartjob.doe.go.th/", "ลงทะเบียนออนไลน์"),
        ],
        None,
        datetime.datetime(2018, 3, 5, 9, 0, tzinfo=TZ),
        None,
    ),
]


class Command(BaseCommand):
    help = "Load demo Citizen's Manual services (idempotent)."

    def handle(self, *args, **options):
        created = skipped = 0
        for code, fields, steps, documents, fees, channels, after, first_at, changed_at in SERVICES:
            agency = Agency.objects.filter(code=code).first()
            if agency is None:
                self.stdout.write(f"Agency {code} is not in the directory; skipped.")
                skipped += 1
                continue
            if Service.objects.filter(agency=agency, code=fields["code"]).exists():
                skipped += 1
                continue
            with transaction.atomic():
                self._load(
                    agency, fields, steps, documents, fees, channels, after, first_at, changed_at
                )
            created += 1
        self.stdout.write(
            f"Citizen's Manual demo: {created} services added, {skipped} already there or skipped."
        )

    @staticmethod
    def _load(agency, fields, steps, documents, fees, channels, after, first_at, changed_at):
        fields = {"complaint_channels": COMPLAIN, **fields}
        service = service_save(
            by=None,
            agency=agency,
            fields=fields,
            steps=steps,
            documents=documents,
            fees=fees,
            channels=channels,
        )
        version = service_publish(service=service, by=None)
        # Demo history: give the publications the dates they would have had.
        version.published_at = first_at
        version.save(update_fields=["published_at"])
        last_at = first_at
        if after is not None:
            service_save(
                by=None,
                agency=agency,
                service=service,
                fields=fields,
                steps=steps,
                documents=after,
                fees=fees,
                channels=channels,
            )
            version = service_publish(service=service, by=None)
            version.published_at = changed_at
            version.save(update_fields=["published_at"])
            last_at = changed_at
        Service.objects.filter(pk=service.pk).update(published_at=min(last_at, timezone.now()))

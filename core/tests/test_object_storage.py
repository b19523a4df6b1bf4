"""Uploads on S3-compatible object storage (S3_BUCKET), against moto's standalone S3 server
started here: every upload path goes through Django's storage API, so every web node sees
the same files, and they still go out only through core.media's access rule (ADR 0130)."""

import shutil
import socket
import subprocess
import sys
import time
import uuid

import boto3
import pytest
from django.apps import apps
from django.core.files.storage import default_storage
from django.db.models import FileField

from service_points import services
from service_points.tests.factories import PublishedPointFactory, ServicePointFactory, image_upload

pytestmark = pytest.mark.django_db
KEYS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


@pytest.fixture(scope="module")
def s3_endpoint(tmp_path_factory):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = shutil.which("moto_server") or sys.executable
    args = [command] if command != sys.executable else [command, "-m", "moto.server"]
    server = subprocess.Popen(
        [*args, "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        yield endpoint
    finally:
        server.terminate()
        server.wait(10)


@pytest.fixture
def bucket(settings, s3_endpoint):
    name = f"citizeninfo-{uuid.uuid4().hex[:12]}"
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1", **KEYS)
    client.create_bucket(Bucket=name)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": name,
                "endpoint_url": s3_endpoint,
                "region_name": "us-east-1",
                "access_key": "testing",
                "secret_key": "testing",
                "default_acl": None,
                "file_overwrite": False,
            },
        },
    }
    return client, name


def _keys(client, name) -> set[str]:
    return {item["Key"] for item in client.list_objects_v2(Bucket=name).get("Contents", [])}


def test_every_file_field_uses_the_default_storage():
    fields = [
        (model, field)
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, FileField)
    ]
    assert fields, "no file fields found"
    for model, field in fields:
        assert field.storage is default_storage, f"{model.__name__}.{field.name}"


def test_a_photo_lands_in_the_bucket_and_is_served_by_the_access_rule(
    client, bucket, officer_a, officer_b, agency_a
):
    s3, name = bucket
    photo, _gps = services.service_point_photo_add(
        point=ServicePointFactory(agency=agency_a),
        by=officer_a,
        upload=image_upload(),
        kind="counter",
    )
    assert {photo.image.name, photo.thumbnail.name} <= _keys(s3, name)
    url = f"/media/{photo.image.name}"
    assert client.get(url).status_code == 404  # a draft point's photo: its agency only
    client.force_login(officer_b)
    assert client.get(url).status_code == 404
    client.force_login(officer_a)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:3] == b"\xff\xd8\xff"


def test_x_sendfile_is_not_used_for_object_storage(client, bucket, settings, officer_a, agency_a):
    settings.MEDIA_X_SENDFILE = True
    photo, _gps = services.service_point_photo_add(
        point=PublishedPointFactory(agency=agency_a),
        by=officer_a,
        upload=image_upload(),
        kind="counter",
    )
    client.force_login(officer_a)
    response = client.get(f"/media/{photo.image.name}")
    assert response.status_code == 200 and "X-Sendfile" not in response


def test_storage_is_in_the_health_details(client, bucket):
    assert client.get("/healthz").json()["checks"]["storage"] == {
        "ok": True,
        "backend": "S3Storage",
        "ms": pytest.approx(0, abs=5000),
    }

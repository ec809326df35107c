"""The county's own standards: packs from its folder (FUPIN_PACKS_DIR) and from admin uploads, checked with the
same file:line reasons as the shipped ones, versioned and audited; the pack of an assessment date's income year
chosen without naming one, and a refusal that names the nearest packs when there is none."""

import textwrap
from datetime import date
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from fupin.accounts.models import Action, AuditEntry, User
from fupin.core.errors import PermissionDenied
from fupin.policy.models import UploadedPack
from fupin.policy.packs import FOLDER, PackError, PackNotFound, upload_origin
from fupin.policy.services import packs as service
from fupin.policy.services.batch import assess
from fupin.policy.services.scope import income_year
from tests.factories import COUNTY as COUNTY_AREA
from tests.factories import TOWNSHIP_A

pytestmark = pytest.mark.django_db

COUNTY = COUNTY_AREA[:6]  # a pack's region is a county's six-digit code

#: a county pack over the national 2018 one: its own, higher line
COUNTY_PACK = textwrap.dedent(f"""\
    id: county-2018
    region: "{COUNTY}"
    year: 2018
    inherits: national-2018
    title: 本县 2018 年扶贫标准
    lines:
      poverty_line: {{value: 3100, source: 县扶贫开发领导小组 2018 年 3 号文, confirmed: true}}
""")


def _write(folder, name, text):
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
    return folder / f"{name}.yaml"


@pytest.fixture
def folder(tmp_path, settings):
    settings.POLICY_PACKS_DIR = tmp_path / "packs"
    return tmp_path / "packs"


@pytest.fixture
def root(db):
    return User.objects.create_superuser("root", password="pw-12345678")


# ── the packs folder ─────────────────────────────────────────────────────────────────────────────────────────


def test_a_folder_pack_is_loaded_beside_the_shipped_ones_and_used(folder, users):
    _write(folder, "county-2018", COUNTY_PACK)
    pack = service.pack_for(f"{COUNTY}001001000", 2018)
    assert (pack.id, pack.origin, pack.lines["poverty_line"].value) == ("county-2018", FOLDER, 3100)
    assert pack.lineage[1] == "national-2018" and "national-2018" in service.available_packs()
    run = assess("exit", user=users["county"], as_of=date(2018, 12, 31))
    assert (run.pack_id, run.pack["origin"], run.pack["lines"]["poverty_line"]["value"]) == (
        "county-2018",
        FOLDER,
        3100,
    )
    township = assess("exit", as_of=date(2018, 12, 31), area=TOWNSHIP_A)
    province = assess("exit", as_of=date(2018, 12, 31), area="140000000000")
    assert (township.pack_id, province.pack_id) == ("county-2018", "national-2018")  # the province has none


def test_a_pack_dropped_into_the_folder_is_seen_without_a_restart(folder):
    folder.mkdir()
    with pytest.raises(PackNotFound):
        service.load_pack("county-2018")
    _write(folder, "county-2018", COUNTY_PACK)
    assert service.load_pack("county-2018").lines["poverty_line"].value == 3100


def test_a_bad_folder_pack_is_refused_with_file_line_and_reason(folder):
    path = _write(folder, "county-2018", COUNTY_PACK.replace("title:", "titel:"))
    with pytest.raises(PackError) as refused:
        service.load_pack("national-2018")
    assert f"{path}:5: 有未知的键 'titel'" in str(refused.value)


def test_a_folder_pack_may_not_take_a_shipped_id(folder):
    text = COUNTY_PACK.replace("id: county-2018", "id: national-2018").replace("inherits: national-2018\n", "")
    path = _write(folder, "national-2018", text)
    with pytest.raises(PackError) as refused:
        service.library()
    assert f"{path}:1: 标准包 id national-2018 已被随系统提供的标准包使用" in str(refused.value)


def test_no_folder_by_default(settings):
    assert settings.POLICY_PACKS_DIR is None
    assert "county-2018" not in service.available_packs()


# ── uploads ──────────────────────────────────────────────────────────────────────────────────────────────────


def test_each_upload_of_an_id_is_a_new_version_and_the_latest_active_one_is_used(root, users):
    first = service.upload_pack(root, "本县标准.yaml", COUNTY_PACK.encode())
    second = service.upload_pack(root, "本县标准.yaml", COUNTY_PACK.replace("3100", "3150").encode())
    assert [(u.pack_id, u.version, u.active) for u in UploadedPack.objects.order_by("version")] == [
        ("county-2018", 1, True),
        ("county-2018", 2, True),
    ]
    assert (first.region, first.year, first.title, first.uploaded_by) == (COUNTY, 2018, "本县 2018 年扶贫标准", root)
    pack = service.load_pack("county-2018")
    assert (pack.lines["poverty_line"].value, pack.origin, pack.origin_label) == (3150, upload_origin(2), "上传第 2 版")
    run = assess("exit", user=users["county"], as_of=date(2018, 12, 31))
    assert (run.pack_id, run.pack_version, run.pack["origin"]) == ("county-2018", pack.version, "upload:2")

    service.set_active(root, second, False)  # back to the version before
    assert service.load_pack("county-2018").lines["poverty_line"].value == 3100
    assert run.pack["lines"]["poverty_line"]["value"] == 3150  # the run keeps what it was judged with
    service.set_active(root, first, False)
    with pytest.raises(PackNotFound):
        service.load_pack("county-2018")
    service.set_active(root, second, True)
    assert service.load_pack("county-2018").lines["poverty_line"].value == 3150

    entries = AuditEntry.objects.filter(model="policy.uploadedpack").order_by("id")
    assert [(e.action, e.object_id, e.username) for e in entries] == [
        (Action.CREATE, str(first.pk), "root"),
        (Action.CREATE, str(second.pk), "root"),
        (Action.UPDATE, str(second.pk), "root"),
        (Action.UPDATE, str(first.pk), "root"),
        (Action.UPDATE, str(second.pk), "root"),
    ]
    assert entries[1].changes["version"] == [None, 2] and entries[2].changes == {"active": [True, False]}


def test_a_bad_upload_is_refused_with_its_lines_and_nothing_is_stored(root):
    text = COUNTY_PACK.replace("year: 2018", "year: '2018'").replace("value: 3100", "value: many")
    with pytest.raises(PackError) as refused:
        service.upload_pack(root, "本县标准.yaml", text.encode())
    described = [problem.described() for problem in refused.value.problems]
    assert described == [
        "本县标准.yaml 第 3 行：'year' 应为整数，实际是 '2018'",
        "本县标准.yaml 第 7 行：lines.poverty_line 'value' 应为数值，实际是 'many'",
    ]
    assert not UploadedPack.objects.exists() and not AuditEntry.objects.filter(model="policy.uploadedpack").exists()


@pytest.mark.parametrize(
    "content, line, reason",
    [
        (COUNTY_PACK.replace("county-2018", "national-2018").encode(), 1, "已被随系统提供的标准包使用"),
        (COUNTY_PACK.replace(f'"{COUNTY}"', '"national"').encode(), 1, "地区 national 的 2018 年已有标准包"),
        ("id: 县标准\n".encode("gbk"), 1, "不是 UTF-8 编码"),
        (b"a: [", 1, "YAML 格式错误"),
    ],
)
def test_an_upload_is_checked_against_the_packs_in_force(root, content, line, reason):
    with pytest.raises(PackError) as refused:
        service.upload_pack(root, "up.yaml", content)
    assert any(p.file == "up.yaml" and p.line == line and reason in p.message for p in refused.value.problems), (
        refused.value
    )
    assert not UploadedPack.objects.exists()


def test_an_upload_that_children_inherit_from_cannot_be_switched_off(root):
    service.upload_pack(root, "a.yaml", COUNTY_PACK.encode())
    child = COUNTY_PACK.replace("id: county-2018", "id: county-2019").replace("year: 2018", "year: 2019")
    service.upload_pack(root, "b.yaml", child.replace("inherits: national-2018", "inherits: county-2018").encode())
    parent = UploadedPack.objects.get(pack_id="county-2018")
    with pytest.raises(PackError, match="未知的父标准包 'county-2018'"):
        service.set_active(root, parent, False)
    parent.refresh_from_db()
    assert parent.active and service.load_pack("county-2019").lineage[:2] == ("county-2019", "county-2018")


def test_only_a_superuser_uploads(users):
    with pytest.raises(PermissionDenied):
        service.upload_pack(users["county"], "a.yaml", COUNTY_PACK.encode())
    assert not UploadedPack.objects.exists()


def test_the_admin_upload_form_shows_the_reasons_and_stores_a_good_file(root, client):
    client.force_login(root)
    bad = SimpleUploadedFile("本县.yaml", COUNTY_PACK.replace("title:", "titel:").encode())
    page = client.post("/admin/policy/uploadedpack/add/", {"file": bad})
    assert page.status_code == 200
    assert "本县.yaml 第 5 行：有未知的键 &#x27;titel&#x27;" in page.content.decode()
    assert not UploadedPack.objects.exists()
    good = SimpleUploadedFile("本县.yaml", COUNTY_PACK.encode())
    assert client.post("/admin/policy/uploadedpack/add/", {"file": good}).status_code == 302
    upload = UploadedPack.objects.get()
    assert (upload.pack_id, upload.version, upload.file_name) == ("county-2018", 1, "本县.yaml")
    assert AuditEntry.objects.filter(model="policy.uploadedpack", action=Action.CREATE, via="admin").count() == 1
    listed = client.post(
        "/admin/policy/uploadedpack/",
        {"action": "switch_off", "index": "0", "_selected_action": [upload.pk]},
        follow=True,
    )
    assert "已停用county-2018 第 1 版" in listed.content.decode()
    upload.refresh_from_db()
    assert upload.active is False


# ── choosing a pack by date ──────────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    "as_of, year",
    [(date(2019, 12, 31), 2019), (date(2019, 12, 30), 2018), (date(2020, 1, 1), 2019), (date(2024, 6, 1), 2023)],
)
def test_the_income_year_of_an_assessment_date(as_of, year):
    assert income_year(as_of) == year


def test_a_year_without_a_pack_names_the_nearest(db):
    with pytest.raises(PackNotFound) as refused:
        service.pack_for("national", 2013)
    assert refused.value.message == "没有适用于地区 national 的 2013 年标准包；最近的有 national-2014（2014 年）、" + (
        "national-2015（2015 年）、national-2016（2016 年）"
    )
    with pytest.raises(PackNotFound) as refused:
        service.pack_for("510121", 2027)
    assert "最近的有 national-2025（2025 年）、national-2024（2024 年）、national-2023（2023 年）" in str(refused.value)
    assert refused.value.details["nearest"] == ["national-2025", "national-2024", "national-2023"]


def test_assess_as_of_alone_picks_the_pack_of_that_year(users, folder):
    out = StringIO()
    call_command("assess", "--kind", "exit", "--as-of", "2019-12-31", stdout=out)
    assert "标准包 national-2019" in out.getvalue() and "收入年度 2019" in out.getvalue()
    call_command("assess", "--kind", "exit", "--as-of", "2019-06-30", stdout=out)
    assert "标准包 national-2018" in out.getvalue()
    _write(folder, "county-2018", COUNTY_PACK)
    out = StringIO()
    call_command("assess", "--kind", "exit", "--as-of", "2018-12-31", "--area", COUNTY_AREA, stdout=out)
    assert "标准包 county-2018" in out.getvalue()  # the region's own, before the national one
    with pytest.raises(
        CommandError, match=r"没有适用于地区 national 的 2013 年标准包；最近的有 national-2014（2014 年）"
    ):
        call_command("assess", "--as-of", "2014-06-30", stdout=StringIO())

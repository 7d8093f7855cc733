"""The command line per the contract: seed-demo, import-factories, create-user."""

from __future__ import annotations

import csv
import json

from hub.auth.models import User
from hub.extensions import db
from hub.factories.models import Factory


def test_seed_demo_is_idempotent_and_rich(app, runner, tmp_path):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    with app.app_context():
        factories = db.session.scalar(db.select(db.func.count(Factory.id)))
        wards = db.session.scalar(db.select(db.func.count(db.distinct(Factory.ward))))
        roles = set(db.session.scalars(db.select(User.role)))
        per_ward = dict(db.session.execute(
            db.select(Factory.ward, db.func.count(Factory.id)).group_by(Factory.ward)).all())
    assert factories >= 40 and wards >= 5
    assert roles >= {"factory", "seeker", "successor", "organiser"}
    assert max(per_ward, key=per_ward.get) == "ota"  # Ota has the most
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Factory.id))) == factories
    assert "created=0" in second.output


def _rows():
    return [
        {"external_id": "x-1", "name": "良い工場", "ward": "大田区", "processes": ["MC加工"], "materials": ["A5052"]},
        {"external_id": "x-2", "name": "文章だけの工場", "ward": "Sumida",
         "description": "当社はへら絞りと溶接が得意です。ステンレスも対応。"},
        {"external_id": "", "name": "IDなし"},
        {"external_id": "x-4", "name": "緯度が変", "lat": "north", "lon": 139.7},
        {"external_id": "x-5", "name": "区が変", "ward": "Atlantis"},
        {"external_id": "x-6", "name": "従業員が変", "employees": -4},
        "not an object",
    ]


def test_import_json_keeps_good_rows_and_reports_bad_ones(app, runner, tmp_path):
    path = tmp_path / "factories.json"
    path.write_text(json.dumps(_rows(), ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(args=["import-factories", str(path)])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[-1] == "created=2 updated=0 rejected=5"
    assert any(line.startswith("row 3") and "external_id" in line for line in lines)
    assert any(line.startswith("row 4") and "lat" in line for line in lines)
    assert any(line.startswith("row 5") and "ward" in line for line in lines)
    with app.app_context():
        prose = db.session.scalar(db.select(Factory).where(Factory.external_id == "x-2"))
        assert "metal_spinning" in prose.codes("process")  # found in the description
        assert prose.ward == "sumida" and prose.is_location_approx
    again = runner.invoke(args=["import-factories", str(path)])
    assert again.output.strip().splitlines()[-1] == "created=0 updated=2 rejected=5"


def test_import_csv_with_semicolon_lists_and_bom(app, runner, tmp_path):
    path = tmp_path / "factories.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["external_id", "name", "ward", "processes", "materials", "lat",
                                                    "lon", "employees"])
        writer.writeheader()
        writer.writerow({"external_id": "c-1", "name": "CSV工場", "ward": "Ota-ku", "processes": "NC旋盤;焼入れ",
                         "materials": "S45C", "lat": "35.56", "lon": "139.72", "employees": "8"})
        writer.writerow({"external_id": "c-2", "name": "", "ward": "Ota"})
    result = runner.invoke(args=["import-factories", str(path)])
    assert result.exit_code == 0
    assert result.output.strip().splitlines()[-1] == "created=1 updated=0 rejected=1"
    assert "row 3" in result.output  # the header is row 1
    with app.app_context():
        factory = db.session.scalar(db.select(Factory).where(Factory.external_id == "c-1"))
        assert factory.processes == ["NC旋盤", "焼入れ"]
        assert {"turning", "hardening"} <= set(factory.codes("process"))
        assert factory.lat == 35.56 and not factory.is_location_approx


def test_import_unreadable_file_exits_1(runner, tmp_path):
    missing = runner.invoke(args=["import-factories", str(tmp_path / "nope.json")])
    assert missing.exit_code == 1
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    assert runner.invoke(args=["import-factories", str(broken)]).exit_code == 1
    wrong = tmp_path / "list.txt"
    wrong.write_text("hello", encoding="utf-8")
    assert runner.invoke(args=["import-factories", str(wrong)]).exit_code == 1


def test_create_user_reads_password_from_stdin(app, runner):
    result = runner.invoke(args=["create-user", "boss@example.jp", "--role", "organiser"],
                           input="a long enough password\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == "boss@example.jp"))
        assert user.role == "organiser" and user.check_password("a long enough password")
    short = runner.invoke(args=["create-user", "x@example.jp", "--role", "seeker"], input="short\n")
    assert short.exit_code == 1
    dup = runner.invoke(args=["create-user", "boss@example.jp", "--role", "seeker"], input="another long one\n")
    assert dup.exit_code == 1


def test_reimport_replaces_capabilities_and_moves_the_index_stamp(app, runner, tmp_path):
    from hub.matches.services import current_stamp

    path = tmp_path / "f.json"
    path.write_text(json.dumps([{"external_id": "r-1", "name": "変わる工場", "processes": ["NC旋盤"]},
                                {"external_id": "r-1", "name": "変わる工場", "processes": ["NC旋盤", "焼入れ"]}],
                               ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(args=["import-factories", str(path)])
    assert result.output.strip().splitlines()[-1] == "created=1 updated=1 rejected=0"  # the later row wins
    with app.app_context():
        stamp = current_stamp()
        assert set(db.session.scalar(db.select(Factory).where(Factory.external_id == "r-1")).codes("process")) == {
            "turning", "hardening"}
    path.write_text(json.dumps([{"external_id": "r-1", "name": "変わる工場", "processes": ["ワイヤーカット"]}],
                               ensure_ascii=False), encoding="utf-8")
    assert runner.invoke(args=["import-factories", str(path)]).exit_code == 0
    with app.app_context():
        db.session.expire_all()
        assert db.session.scalar(db.select(Factory).where(Factory.external_id == "r-1")).codes("process") == [
            "wire_edm"]
        assert current_stamp() != stamp

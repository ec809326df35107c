from django.core.management.base import BaseCommand, CommandError

from fupin.areas.services import InvalidAreaCode, load_areas_csv


class Command(BaseCommand):
    help = "从CSV（区划代码,名称）导入行政区划 / load the administrative tree from a CSV file"

    def add_arguments(self, parser):
        parser.add_argument("csv_file")

    def handle(self, csv_file, **options):
        try:
            count = load_areas_csv(csv_file)
        except InvalidAreaCode as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"已导入 {count} 个区划")

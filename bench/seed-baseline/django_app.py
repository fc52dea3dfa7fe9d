"""The two seed views as a minimal Django project, served by gunicorn for bench:server.

Run: gunicorn --workers 2 --bind 127.0.0.1:PORT --chdir bench/seed-baseline django_app:application
The views are the seeds' own code; only HttpResponse(mimetype=) became content_type=
(the keyword modern Django takes) and the font path is a bundled font.
"""
import os
import random
import string
from io import BytesIO

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpResponse
from django.urls import path
from PIL import Image, ImageDraw, ImageFont

FONT = os.environ.get("SEED_FONT", os.path.join(os.path.dirname(__file__), "..", "..", "fonts", "ComicNeue-Bold.otf"))

settings.configure(
    DEBUG=False,
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    SECRET_KEY="bench-only",
    MIDDLEWARE=[],
)


def generation_background(request):  # seed 000
    if request.method == "GET" and "width" in request.GET:
        screen_width = int(request.GET["width"])
        screen_height = int(request.GET["height"])
    else:
        screen_width = 1024
        screen_height = 768
    COLOR = (240, 239, 239, 128)
    image = Image.new("RGBA", (screen_width, screen_height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((100, -10, 100 + screen_width, -30 + screen_width), fill=COLOR, outline=COLOR)
    del draw
    response = HttpResponse(content_type="image/png")
    image.save(response, "PNG")
    return response


def get_validCode_img(request):  # seed 002, way 4
    def get_color():
        return (random.randint(0, 255), random.randint(0, 255), random.randint(0, 255))

    img = Image.new("RGB", (270, 40), color=get_color())
    draw = ImageDraw.Draw(img)
    fzxzt_font = ImageFont.truetype(FONT, size=30)
    for i in range(5):
        rand_str = "".join(random.sample(string.ascii_letters + str(random.randint(0, 9)), 1))
        draw.text((i * 60, 3), rand_str, fill=get_color(), font=fzxzt_font)
    f = BytesIO()
    img.save(f, "png")
    data = f.getvalue()
    return HttpResponse(data)


urlpatterns = [
    path("utils/genback/", generation_background),
    path("get_validCode_img", get_validCode_img),
]

application = get_wsgi_application()

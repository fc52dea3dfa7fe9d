"""The seeds' own pipeline, for side-by-side timing: PIL as the two Django views use it.

Seed 000 (/utils/genback/): transparent RGBA, one ellipse, PNG to memory.
Seed 002 way 4 (/get_validCode_img): random colour, 5 characters at (i*60, 3), size 30.
Prints one JSON object: median milliseconds and PNG size per workload.
"""
import json
import random
import string
import sys
import time
from io import BytesIO

import PIL
from PIL import Image, ImageDraw, ImageFont


def background(width, height):
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    color = (240, 239, 239, 128)
    draw.ellipse((100, -10, 100 + width, -30 + width), fill=color, outline=color)
    out = BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def captcha(font):
    def get_color():
        return (random.randint(0, 255), random.randint(0, 255), random.randint(0, 255))

    img = Image.new("RGB", (270, 40), color=get_color())
    draw = ImageDraw.Draw(img)
    for i in range(5):
        rand_str = "".join(random.sample(string.ascii_letters + str(random.randint(0, 9)), 1))
        draw.text((i * 60, 3), rand_str, fill=get_color(), font=font)
    out = BytesIO()
    img.save(out, "png")
    return out.getvalue()


def median_ms(fn, runs):
    for _ in range(max(3, runs // 10)):
        fn()
    times, sizes = [], []
    for _ in range(runs):
        t = time.perf_counter()
        sizes.append(len(fn()))
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    sizes.sort()
    # Both medians: a random captcha's size varies with its text, so one sample would not do.
    return times[len(times) // 2], sizes[len(sizes) // 2]


def main():
    font_path, captcha_runs, background_runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    font = ImageFont.truetype(font_path, size=30)
    cap_ms, cap_bytes = median_ms(lambda: captcha(font), captcha_runs)
    bg_ms, bg_bytes = median_ms(lambda: background(1920, 1080), background_runs)
    print(json.dumps({
        "pil": PIL.__version__,
        "python": sys.version.split()[0],
        "captcha": {"ms": cap_ms, "bytes": cap_bytes},
        "background": {"ms": bg_ms, "bytes": bg_bytes},
    }))


if __name__ == "__main__":
    main()

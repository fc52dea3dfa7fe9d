"""The seed's way to make a batch of captchas: its PIL view's drawing code in a loop,
one PNG file per image plus answers.csv, in one Python process (bench:batch's PIL loop).

Run: /usr/bin/python3 bench/peers/pil_batch.py COUNT OUT_DIR
"""
import os
import random
import string
import sys
from io import BytesIO

from PIL import Image, ImageDraw, ImageFont

FONT = os.path.join(os.path.dirname(__file__), "..", "..", "fonts", "ComicNeue-Bold.otf")


def captcha(font):
    # bench/seed-baseline/pil_render.py's captcha(), keeping the answer it draws.
    def get_color():
        return (random.randint(0, 255), random.randint(0, 255), random.randint(0, 255))

    img = Image.new("RGB", (270, 40), color=get_color())
    draw = ImageDraw.Draw(img)
    answer = ""
    for i in range(5):
        rand_str = "".join(random.sample(string.ascii_letters + str(random.randint(0, 9)), 1))
        answer += rand_str
        draw.text((i * 60, 3), rand_str, fill=get_color(), font=font)
    out = BytesIO()
    img.save(out, "png")
    return out.getvalue(), answer


def main():
    count, out_dir = int(sys.argv[1]), sys.argv[2]
    os.makedirs(out_dir)
    font = ImageFont.truetype(FONT, size=30)
    rows = ["file,answer"]
    width = len(str(count))
    for i in range(count):
        data, answer = captcha(font)
        name = f"captcha-{str(i + 1).zfill(width)}.png"
        with open(os.path.join(out_dir, name), "wb") as f:
            f.write(data)
        rows.append(f"{name},{answer}")
    with open(os.path.join(out_dir, "answers.csv"), "w") as f:
        f.write("\n".join(rows) + "\n")


if __name__ == "__main__":
    main()

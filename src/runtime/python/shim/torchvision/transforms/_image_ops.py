"""Geometric and colour operations behind the augmentation transforms (pad, crop, flip, resize, rotate, grayscale,
brightness/contrast/saturation), on the runtime's two kinds of image:

- a "PIL image": a uint8 tensor H×W or H×W×C (C in 3, 4), what the datasets hand to transforms; results follow
  PIL's arithmetic (antialiased resampling rounded after each pass, nearest sampling at pixel centres, truncating
  blends), so they match torchvision on PIL images to within one grey level;
- a tensor image: (..., C, H, W) of any dtype (or H×W that is not uint8), handled as torchvision handles tensors.
"""
import functools
import math
import numbers

import torch
from torch._tensor import unsupported


def is_pil_like(img):
    """Whether `img` stands for a PIL image (see the module docstring)."""
    if not isinstance(img, torch.Tensor) or img.dtype is not torch.uint8:
        return False
    return img.ndim == 2 or (img.ndim == 3 and img.shape[-1] in (3, 4) and img.shape[0] not in (1, 3, 4))


def check_image(img):
    if not isinstance(img, torch.Tensor):
        raise TypeError(f"img should be PIL Image or Tensor. Got {type(img)} (images are uint8 tensors H×W or H×W×C "
                        f"in the Trainloop runtime)")
    if img.ndim < 2:
        raise TypeError(f"Tensor is not a torch image: expected at least 2 dimensions, got {img.ndim}")


def planar(img):
    """The image as (..., C, H, W), and a function that turns a result of that layout back into the input's layout."""
    check_image(img)
    if is_pil_like(img):
        if img.ndim == 2:
            return img.unsqueeze(0), lambda out: out.squeeze(0)
        return img.permute(2, 0, 1), lambda out: out.permute(1, 2, 0)
    if img.ndim == 2:
        return img.unsqueeze(0), lambda out: out.squeeze(0)
    return img, lambda out: out


def image_size(img):
    """[height, width]."""
    check_image(img)
    if is_pil_like(img):
        return [img.shape[0], img.shape[1]]
    return [img.shape[-2], img.shape[-1]]


def channels(img):
    check_image(img)
    if is_pil_like(img):
        return 1 if img.ndim == 2 else img.shape[-1]
    return 1 if img.ndim == 2 else img.shape[-3]


def _take(x, dim, indices):
    return x.index_select(dim, torch.tensor(indices, dtype=torch.int64))


# ---- padding, cropping, flipping ------------------------------------------------------------------------------------


def _padding_ltrb(padding):
    if isinstance(padding, numbers.Integral):
        return [padding] * 4
    padding = list(padding)
    if len(padding) == 1:
        return padding * 4
    if len(padding) == 2:
        return [padding[0], padding[1], padding[0], padding[1]]
    if len(padding) == 4:
        return padding
    raise ValueError(f"Padding must be an int or a 1, 2, or 4 element tuple, not a {len(padding)} element tuple")


def _source_index(i, size, mode):
    """The source index for position i (possibly outside 0..size-1) under a padding mode."""
    if mode == "edge":
        return min(max(i, 0), size - 1)
    period = 2 * size if mode == "symmetric" else 2 * (size - 1)
    if period == 0:
        return 0
    i %= period
    if mode == "symmetric":
        return i if i < size else period - 1 - i
    return i if i < size else period - i


def pad(img, padding, fill=0, padding_mode="constant"):
    if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
        raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
    left, top, right, bottom = _padding_ltrb(padding)
    x, back = planar(img)
    h, w = x.shape[-2], x.shape[-1]
    if padding_mode == "constant":
        c = x.shape[-3]
        fills = list(fill) if isinstance(fill, (list, tuple)) else [fill] * c
        if len(fills) == 1:
            fills = fills * c
        out = torch.zeros(*x.shape[:-2], h + top + bottom, w + left + right, dtype=x.dtype)
        if any(f != 0 for f in fills):
            out = out + torch.tensor(fills, dtype=x.dtype).reshape(c, 1, 1)
        out[..., top:top + h, left:left + w] = x
        return back(out)
    if padding_mode == "reflect" and (max(left, right) >= w or max(top, bottom) >= h):
        raise ValueError("Padding size should be less than the corresponding input dimension")
    rows = [_source_index(i, h, padding_mode) for i in range(-top, h + bottom)]
    cols = [_source_index(i, w, padding_mode) for i in range(-left, w + right)]
    return back(_take(_take(x, -2, rows), -1, cols))


def crop(img, top, left, height, width):
    """The region height×width at (top, left); parts outside the image are zeros, as torchvision's are."""
    x, back = planar(img)
    h, w = x.shape[-2], x.shape[-1]
    if top < 0 or left < 0 or top + height > h or left + width > w:
        pad_ltrb = [max(-left, 0), max(-top, 0), max(left + width - w, 0), max(top + height - h, 0)]
        x = planar(pad(back(x), pad_ltrb))[0]
        top, left = max(top, 0), max(left, 0)
    return back(x[..., top:top + height, left:left + width])


def _size_pair(size):
    if isinstance(size, numbers.Integral):
        return [size, size]
    size = list(size)
    return [size[0], size[0]] if len(size) == 1 else size[:2]


def center_crop(img, output_size):
    th, tw = _size_pair(output_size)
    h, w = image_size(img)
    if tw > w or th > h:
        img = pad(img, [(tw - w) // 2 if tw > w else 0, (th - h) // 2 if th > h else 0,
                        (tw - w + 1) // 2 if tw > w else 0, (th - h + 1) // 2 if th > h else 0])
        h, w = image_size(img)
        if tw == w and th == h:
            return img
    return crop(img, int(round((h - th) / 2.0)), int(round((w - tw) / 2.0)), th, tw)


def hflip(img):
    x, back = planar(img)
    return back(x.flip(-1))


def vflip(img):
    x, back = planar(img)
    return back(x.flip(-2))


# ---- resizing -------------------------------------------------------------------------------------------------------


def resized_size(h, w, size, max_size=None):
    """torchvision's output size: an int matches the shorter edge (keeping the aspect ratio), a pair is (h, w)."""
    if isinstance(size, (list, tuple)) and len(size) == 2:
        return [size[0], size[1]]
    requested = size if isinstance(size, numbers.Integral) else size[0]
    short, long = (w, h) if w <= h else (h, w)
    new_short, new_long = requested, int(requested * long / short)
    if max_size is not None:
        if max_size <= requested:
            raise ValueError(f"max_size = {max_size} must be strictly greater than the requested size for the smaller "
                             f"edge size (size = {size})")
        if new_long > max_size:
            new_short, new_long = int(max_size * new_short / new_long), max_size
    return [new_long, new_short] if w <= h else [new_short, new_long]


@functools.lru_cache(maxsize=64)  # a dataset resizes every sample between the same two sizes
def _linear_weights(in_size, out_size, antialias):
    """out×in weights of bilinear resampling along one axis (PIL's: a triangle filter widened by the scale when
    shrinking and antialias is on; without antialias the same as align_corners=False interpolation)."""
    scale = in_size / out_size
    filter_scale = max(scale, 1.0) if antialias else 1.0
    support = filter_scale
    rows = []
    for i in range(out_size):
        center = (i + 0.5) * scale
        first = max(int(center - support + 0.5), 0)
        last = min(int(center + support + 0.5), in_size)
        row = [0.0] * in_size
        weights = [max(0.0, 1.0 - abs((j - center + 0.5) / filter_scale)) for j in range(first, last)]
        total = sum(weights)
        for j, weight in zip(range(first, last), weights):
            row[j] = weight / total if total else 0.0
        rows.append(row)
    return torch.tensor(rows, dtype=torch.float32)


def _round_bytes(x):
    return (x + 0.5).floor().clamp(0, 255)


def resize(img, size, interpolation="bilinear", max_size=None, antialias=None):
    mode = getattr(interpolation, "value", interpolation)
    if mode not in ("bilinear", "nearest"):
        raise unsupported(f"torchvision.transforms.Resize with interpolation={mode!r} (bilinear and nearest are)")
    h, w = image_size(img)
    out_h, out_w = resized_size(h, w, size, max_size)
    if (out_h, out_w) == (h, w):
        return img
    pil = is_pil_like(img)
    x, back = planar(img)
    if mode == "nearest":
        if pil:  # PIL samples at output pixel centres
            rows = [min(int((i + 0.5) * h / out_h), h - 1) for i in range(out_h)]
            cols = [min(int((j + 0.5) * w / out_w), w - 1) for j in range(out_w)]
        else:
            rows = [min(int(math.floor(i * (h / out_h))), h - 1) for i in range(out_h)]
            cols = [min(int(math.floor(j * (w / out_w))), w - 1) for j in range(out_w)]
        return back(_take(_take(x, -2, rows), -1, cols))
    dtype = x.dtype
    values = x.to(torch.float32)
    if pil:  # PIL: horizontal pass, rounded to bytes, then vertical pass, rounded again
        values = _round_bytes(values @ _linear_weights(w, out_w, True).t())
        values = _round_bytes(_linear_weights(h, out_h, True) @ values)
        return back(values.to(torch.uint8))
    smooth = bool(antialias)
    values = _linear_weights(h, out_h, smooth) @ (values @ _linear_weights(w, out_w, smooth).t())
    if not dtype.is_floating_point:
        values = values.round()
    return back(values.to(dtype))


# ---- rotation -------------------------------------------------------------------------------------------------------


def rotate(img, angle, interpolation="nearest", expand=False, center=None, fill=0):
    """Counter-clockwise rotation by `angle` degrees about the centre, nearest-neighbour, outside filled with `fill`."""
    mode = getattr(interpolation, "value", interpolation)
    if mode != "nearest":
        raise unsupported(f"torchvision.transforms.RandomRotation with interpolation={mode!r} (nearest is)")
    if expand:
        raise unsupported("torchvision.transforms.RandomRotation(expand=True)")
    h, w = image_size(img)
    pil = is_pil_like(img)
    cx, cy = (w / 2.0, h / 2.0) if center is None else (center[0], center[1])
    radians = -math.radians(angle % 360.0 if pil else angle)
    cos_a, sin_a = math.cos(radians), math.sin(radians)
    if pil:  # PIL rounds its matrix to 15 digits, so quarter turns land on whole pixels
        cos_a, sin_a = round(cos_a, 15), round(sin_a, 15)
    if pil:  # PIL: output pixel centres mapped back in double precision, then floored
        dx = (torch.arange(w, dtype=torch.float64) + (0.5 - cx)).expand(h, w)
        dy = (torch.arange(h, dtype=torch.float64) + (0.5 - cy)).unsqueeze(1).expand(h, w)
        cols = (dx * cos_a + dy * sin_a + cx).floor().to(torch.int64).reshape(-1)
        rows = (dx * -sin_a + dy * cos_a + cy).floor().to(torch.int64).reshape(-1)
        inside = (cols >= 0) & (cols < w) & (rows >= 0) & (rows < h)
        sources = torch.where(inside, rows * w + cols, torch.full_like(rows, h * w)).tolist()
    else:
        sources = _tensor_rotation_sources(h, w, cos_a, sin_a, cx - w * 0.5, cy - h * 0.5)
    x, back = planar(img)
    c = x.shape[-3]
    fills = list(fill) if isinstance(fill, (list, tuple)) else [fill if fill is not None else 0] * c
    if len(fills) == 1:
        fills = fills * c
    flat = x.reshape(*x.shape[:-2], h * w)
    outside = torch.tensor(fills, dtype=x.dtype).reshape(c, 1).expand(*flat.shape[:-1], 1)
    flat = torch.cat([flat, outside], -1)
    return back(_take(flat, -1, sources).reshape(x.shape))


def _tensor_rotation_sources(h, w, cos_a, sin_a, cx, cy):
    """Flat source indices (h*w for outside) of a rotation as torchvision computes it on tensors: an affine grid in
    float32 about the centre offset (cx, cy), then grid_sample's nearest (round half to even)."""
    matrix = [cos_a, sin_a, 0.0, -sin_a, cos_a, 0.0]
    matrix[2] += matrix[0] * -cx + matrix[1] * -cy + cx
    matrix[5] += matrix[3] * -cx + matrix[4] * -cy + cy
    theta = torch.tensor(matrix, dtype=torch.float32).reshape(2, 3)
    xs = torch.linspace(-w * 0.5 + 0.5, w * 0.5 - 0.5, w)
    ys = torch.linspace(-h * 0.5 + 0.5, h * 0.5 - 0.5, h)
    base = torch.stack([xs.expand(h, w), ys.unsqueeze(1).expand(h, w), torch.ones(h, w)], -1).reshape(h * w, 3)
    grid = base @ (theta.t() / torch.tensor([0.5 * w, 0.5 * h]))
    cols = (((grid[:, 0] + 1) * w - 1) / 2).round().to(torch.int64)
    rows = (((grid[:, 1] + 1) * h - 1) / 2).round().to(torch.int64)
    inside = (cols >= 0) & (cols < w) & (rows >= 0) & (rows < h)
    return torch.where(inside, rows * w + cols, torch.full_like(rows, h * w)).tolist()


# ---- colour ---------------------------------------------------------------------------------------------------------


def rgb_to_grayscale(img, num_output_channels=1):
    if num_output_channels not in (1, 3):
        raise ValueError("num_output_channels should be either 1 or 3")
    x, back = planar(img)
    if x.shape[-3] == 1 and not is_pil_like(img):
        return img  # torchvision returns a one-channel tensor image as it is, whatever num_output_channels says
    if x.shape[-3] == 1:
        gray = x
    elif x.shape[-3] == 3:
        r, g, b = x.unbind(-3)
        if is_pil_like(img):  # PIL's L = (R*19595 + G*38470 + B*7471 + 0x8000) >> 16
            values = (r.to(torch.int64) * 19595 + g.to(torch.int64) * 38470 + b.to(torch.int64) * 7471 + 32768)
            gray = (values // 65536).to(torch.uint8).unsqueeze(-3)
        else:
            gray = (0.2989 * r + 0.587 * g + 0.114 * b).to(x.dtype).unsqueeze(-3)
    else:
        raise TypeError(f"Input image tensor permitted channel values are [1, 3], but found {x.shape[-3]}")
    if num_output_channels == 3:
        gray = gray.expand(*gray.shape[:-3], 3, *gray.shape[-2:]).clone()
    if is_pil_like(img):  # PIL's "L" image is H×W, its "RGB" one H×W×3
        return gray[0].clone() if num_output_channels == 1 else gray.permute(1, 2, 0).clone()
    return back(gray)


def _blend_bytes(degenerate, image, factor):
    """PIL's Image.blend on bytes: degenerate + factor * (image - degenerate), in float32, truncated into 0..255."""
    values = degenerate.to(torch.float32) + factor * (image.to(torch.float32) - degenerate.to(torch.float32))
    return values.clamp(0, 255).to(torch.uint8)


def _blend_tensor(image, other, factor):
    bound = 1.0 if image.dtype.is_floating_point else 255.0
    return (factor * image.to(torch.float32) + (1.0 - factor) * other).clamp(0, bound).to(image.dtype)


def adjust_brightness(img, factor):
    if factor < 0:
        raise ValueError(f"brightness_factor ({factor}) is not non-negative.")
    x, back = planar(img)
    if is_pil_like(img):
        return back(_blend_bytes(torch.zeros_like(x), x, factor))
    return back(_blend_tensor(x, torch.zeros(()), factor))


def adjust_contrast(img, factor):
    if factor < 0:
        raise ValueError(f"contrast_factor ({factor}) is not non-negative.")
    x, back = planar(img)
    gray = planar(rgb_to_grayscale(img))[0]
    if is_pil_like(img):
        mean = int(gray.to(torch.float64).mean().item() + 0.5)
        return back(_blend_bytes(torch.full(tuple(x.shape), mean, dtype=torch.uint8), x, factor))
    mean = gray.to(torch.float32).mean(dim=(-3, -2, -1), keepdim=True)
    return back(_blend_tensor(x, mean, factor))


def adjust_saturation(img, factor):
    if factor < 0:
        raise ValueError(f"saturation_factor ({factor}) is not non-negative.")
    if channels(img) == 1:
        return img
    x, back = planar(img)
    gray = planar(rgb_to_grayscale(img))[0]
    if is_pil_like(img):
        return back(_blend_bytes(gray.expand(x.shape), x, factor))
    return back(_blend_tensor(x, gray.to(torch.float32), factor))


def adjust_hue(img, factor):
    if not -0.5 <= factor <= 0.5:
        raise ValueError(f"hue_factor ({factor}) is not in [-0.5, 0.5].")
    if channels(img) == 1:
        return img
    raise unsupported("torchvision.transforms.ColorJitter(hue=...) on colour images")


# ---- to a PIL image -------------------------------------------------------------------------------------------------


def to_pil_image(pic, mode=None):
    """A C×H×W tensor (float in [0, 1] or uint8) as the runtime's PIL image: uint8 H×W, or H×W×C for 3 or 4 channels."""
    if not isinstance(pic, torch.Tensor):
        raise TypeError(f"pic should be Tensor or ndarray. Got {type(pic)}.")
    if pic.ndim == 2:
        pic = pic.unsqueeze(0)
    if pic.ndim != 3:
        raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
    if pic.shape[-3] > 4:
        raise ValueError(f"pic should not have > 4 channels. Got {pic.shape[-3]} channels.")
    if mode not in (None, "L", "RGB", "RGBA"):
        raise unsupported(f"torchvision.transforms.ToPILImage(mode={mode!r})")
    if pic.shape[-3] == 2:
        raise unsupported("torchvision.transforms.ToPILImage on 2-channel images")
    if pic.is_floating_point():
        pic = pic.mul(255).to(torch.uint8)
    elif pic.dtype is not torch.uint8:
        raise unsupported(f"torchvision.transforms.ToPILImage on {pic.dtype} tensors")
    if pic.shape[-3] == 1:
        return pic[0].clone()
    return pic.permute(1, 2, 0).clone()

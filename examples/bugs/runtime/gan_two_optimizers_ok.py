# A correct GAN loop: two models, two optimizers, each zero_grad() before its own backward(); the generator's loss also writes (unused) gradients into the discriminator, which its next zero_grad() clears. No diagnostics.
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
real_points = torch.randn(512, 2) * 0.5 + torch.tensor([2.0, -1.0])
loader = DataLoader(TensorDataset(real_points), batch_size=32, shuffle=True)

generator = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 2))
discriminator = nn.Sequential(nn.Linear(2, 16), nn.LeakyReLU(0.2), nn.Linear(16, 1))
loss_fn = nn.BCEWithLogitsLoss()
g_optimizer = torch.optim.Adam(generator.parameters(), lr=1e-3)
d_optimizer = torch.optim.Adam(discriminator.parameters(), lr=1e-3)

for epoch in range(2):
    for (real,) in loader:
        fake = generator(torch.randn(real.shape[0], 4))
        d_optimizer.zero_grad()
        d_loss = loss_fn(discriminator(real), torch.ones(real.shape[0], 1)) + loss_fn(
            discriminator(fake.detach()), torch.zeros(real.shape[0], 1)
        )
        d_loss.backward()
        d_optimizer.step()
        g_optimizer.zero_grad()
        g_loss = loss_fn(discriminator(fake), torch.ones(real.shape[0], 1))
        g_loss.backward()
        g_optimizer.step()
    print(f"epoch {epoch}: d_loss {d_loss.item():.4f}, g_loss {g_loss.item():.4f}")

import Hub
import Jupyter

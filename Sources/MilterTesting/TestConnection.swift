import Milter
